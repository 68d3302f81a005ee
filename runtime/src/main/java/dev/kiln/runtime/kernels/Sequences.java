package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the recurrent kernels share around their time loops. Their arrays are batch-major, {@code
 * (n, steps, ...)} like the layer's input and output, so that all steps together are one matrix of
 * {@code n * steps} rows for the products the steps share (the input projection, the weight
 * gradients, the input gradient) with no reordering copy; the Java passes of the steps index them
 * directly.
 */
final class Sequences {

  private Sequences() {}

  /** The step read {@code k}-th: from first to last, or from last to first. */
  static long stepAt(long k, long steps, boolean reverse) {
    return reverse ? steps - 1 - k : k;
  }

  /**
   * The input projection of all steps as one product, {@code projections = x . kernel} over the
   * {@code n * steps} rows of both, batch-major.
   *
   * @param x {@code (n, steps, in)}
   * @param projections written, {@code (n, steps, gates * units)}, row-major
   */
  static void project(INDArray x, INDArray kernel, INDArray projections) {
    Nd4j.gemm(Rows.ofLastAxis(x), kernel, Rows.ofLastAxis(projections), false, false, 1.0, 0.0);
  }

  /**
   * The gradients a recurrent layer takes after its backward loop, as products over all {@code n
   * * steps} rows, batch-major: with {@code dPre} the gradient of every step's input-side
   * pre-activation and {@code dRecurrentPre} of its recurrent product (the same array but for
   * GRU's reset gate), {@code dKernel = x^T . dPre}, {@code dRecurrentKernel = statesBefore^T .
   * dRecurrentPre}, {@code dBias = ones . dPre} ({@link ColumnSums}) and {@code dx = dPre .
   * kernel^T}.
   *
   * @param x the layer's input {@code (n, steps, in)}
   * @param dPre {@code (n, steps, gates * units)}, row-major; likewise {@code dRecurrentPre}
   * @param statesBefore the state before each step {@code (n, steps, units)}, row-major
   * @param dKernel written, or null; likewise {@code dRecurrentKernel}, {@code dBias} and {@code
   *     dx}
   */
  static void gradientsAfterLoop(
      INDArray x,
      INDArray dPre,
      INDArray statesBefore,
      INDArray dRecurrentPre,
      INDArray kernel,
      INDArray dKernel,
      INDArray recurrentKernel,
      INDArray dRecurrentKernel,
      INDArray dBias,
      INDArray dx) {
    INDArray dPreRows = Rows.ofLastAxis(dPre);
    if (dKernel != null) {
      Nd4j.gemm(Rows.ofLastAxis(x), dPreRows, dKernel, true, false, 1.0, 0.0);
    }
    if (dRecurrentKernel != null) {
      Nd4j.gemm(Rows.ofLastAxis(statesBefore), Rows.ofLastAxis(dRecurrentPre), dRecurrentKernel,
          true, false, 1.0, 0.0);
    }
    if (dBias != null) {
      ColumnSums.of(dPre, dBias);
    }
    if (dx != null) {
      INDArray writable = writable(dx, Sequences.class, "dx");
      Nd4j.gemm(dPreRows, kernel, Rows.ofLastAxis(writable), false, true, 1.0, 0.0);
      if (writable != dx) {
        dx.assign(writable);
      }
    }
  }

  /** {@code array} if Java loops and products can write it in place, else a work array like it. */
  static INDArray writable(INDArray array, Class<?> kernel, String name) {
    return Elements.accepts(array) ? array
        : WorkArrays.get(kernel, name, array.dataType(), array.shape());
  }

  /** {@code array} if Java loops can read it in place, else a copy in a work array. */
  static INDArray readable(INDArray array, Class<?> kernel, String name) {
    if (Elements.accepts(array)) {
      return array;
    }
    INDArray copy = WorkArrays.get(kernel, name, array.dataType(), array.shape());
    copy.assign(array);
    return copy;
  }

  /**
   * Completes a layer's output: the last state when it returns no sequence ({@code sequenceOut}
   * null), else the sequence, if it was written to a work array in its place.
   */
  static void finishOutput(INDArray out, INDArray sequenceOut, INDArray lastState) {
    if (sequenceOut == null) {
      out.assign(lastState);
    } else if (sequenceOut != out) {
      out.assign(sequenceOut);
    }
  }
}
