package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Argument checks for kernels. ND4J broadcasts where it can, so an output of the wrong shape
 * would often be filled without complaint; these make that a clear error instead.
 */
final class Require {

  private Require() {}

  /** Fails unless {@code array} has exactly {@code shape}. */
  static void shape(INDArray array, long[] shape, String what) {
    if (!Arrays.equals(array.shape(), shape)) {
      throw new IllegalArgumentException(
          what + " has shape " + Shapes.of(array.shape()) + ", expected " + Shapes.of(shape));
    }
  }

  /** Fails unless {@code array} has the shape of {@code like}. */
  static void sameShape(INDArray array, INDArray like, String what) {
    shape(array, like.shape(), what);
  }

  /** {@code shape} with entry {@code axis} replaced by {@code size}. */
  static long[] withSize(long[] shape, int axis, long size) {
    long[] result = shape.clone();
    result[axis] = size;
    return result;
  }
}
