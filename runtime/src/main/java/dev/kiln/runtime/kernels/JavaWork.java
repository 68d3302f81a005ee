package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Java arrays for kernels written as loops over {@code double[]} or {@code float[]}: one per
 * thread, type and slot, grown when a larger one is asked for and then reused, so that a steady
 * training loop allocates none.
 */
final class JavaWork {

  private static final int SLOTS = 8;

  private static final ThreadLocal<double[][]> ARRAYS =
      ThreadLocal.withInitial(() -> new double[SLOTS][0]);

  private static final ThreadLocal<float[][]> FLOATS =
      ThreadLocal.withInitial(() -> new float[SLOTS][0]);

  private JavaWork() {}

  /** A float work array of at least {@code length} elements; its contents are undefined. */
  static float[] floats(int slot, long length) {
    float[][] arrays = FLOATS.get();
    if (arrays[slot].length < length) {
      arrays[slot] = new float[Math.toIntExact(length)];
    }
    return arrays[slot];
  }

  /** A work array of at least {@code length} elements; its contents are undefined. */
  static double[] doubles(int slot, long length) {
    double[][] arrays = ARRAYS.get();
    if (arrays[slot].length < length) {
      arrays[slot] = new double[Math.toIntExact(length)];
    }
    return arrays[slot];
  }

  /** {@code array}'s values, row-major, in the work array of {@code slot}. */
  static double[] read(INDArray array, int slot) {
    double[] values = doubles(slot, array.length());
    // A caller's input may be a view that is not contiguous; then it is copied once here.
    Elements.of(Elements.accepts(array) ? array : array.dup('c'))
        .read(values, Math.toIntExact(array.length()));
    return values;
  }

  /** Writes the first {@code array.length()} values of {@code values} into {@code array}. */
  static void write(double[] values, INDArray array) {
    Elements.of(array).write(values, Math.toIntExact(array.length()));
  }
}
