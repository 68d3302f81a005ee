package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.NdArrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Helpers of the recurrent kernels that loop over steps in Java. Their work arrays are
 * time-major, {@code (steps, n, ...)}, so that one step is a contiguous matrix that a gemm can
 * write, and all steps together are one matrix of {@code steps * n} rows for the gemms that the
 * steps share (the input projection, the weight gradients).
 *
 * <p>The states of a run are kept as {@code (steps + 1, n, units)} in time order: reading forward,
 * row {@code t} is the state before reading {@code x[:, t]} and row {@code t + 1} the state after
 * it; reading in reverse, row {@code t + 1} is the state before and row {@code t} the state after,
 * so the zero initial state is row 0 or row {@code steps}, and the states after the steps, which
 * are the layer's output sequence, are aligned with {@code x} either way.
 */
final class Sequences {

  private Sequences() {}

  /** The step read {@code k}-th: from first to last, or from last to first. */
  static long stepAt(long k, long steps, boolean reverse) {
    return reverse ? steps - 1 - k : k;
  }

  /** The state before reading step {@code t}, {@code (n, units)}. */
  static INDArray before(INDArray states, long t, boolean reverse) {
    return states.slice(reverse ? t + 1 : t);
  }

  /** The state after reading step {@code t}, {@code (n, units)}. */
  static INDArray after(INDArray states, long t, boolean reverse) {
    return states.slice(reverse ? t : t + 1);
  }

  /** The zero state before the first step read. */
  static INDArray initial(INDArray states, boolean reverse) {
    return states.slice(reverse ? states.size(0) - 1 : 0);
  }

  /**
   * The gradients a recurrent layer takes after its time loop, as whole-sequence products: with
   * {@code dPre} the gradient of every step's pre-activation, {@code dKernel = inputs^T . dPre},
   * {@code dRecurrentKernel = statesBefore^T . dPre}, {@code dBias = sum(dPre)} and {@code dx =
   * dPre . kernel^T}, put back into batch-major order.
   *
   * @param inputs the time-major inputs {@code (steps, n, in)}; overwritten when {@code dx} is
   *     wanted, as they are no longer needed
   * @param dPre the time-major pre-activation gradients {@code (steps, n, gates * units)}
   * @param states the time-major states of the run, as {@link #beforeRows} reads them
   * @param dKernel written, or null; likewise {@code dRecurrentKernel}, {@code dBias} and {@code
   *     dx}
   */
  static void parameterAndInputGradients(
      INDArray inputs,
      INDArray dPre,
      INDArray states,
      boolean reverse,
      INDArray kernel,
      INDArray recurrentKernel,
      INDArray dKernel,
      INDArray dRecurrentKernel,
      INDArray dBias,
      INDArray dx) {
    INDArray inputRows = Rows.ofLastAxis(inputs);
    INDArray dPreRows = Rows.ofLastAxis(dPre);
    Nd4j.gemm(inputRows, dPreRows, Scratch.orScratch(dKernel, kernel), true, false, 1.0, 0.0);
    Nd4j.gemm(
        beforeRows(states, reverse),
        dPreRows,
        Scratch.orScratch(dRecurrentKernel, recurrentKernel),
        true,
        false,
        1.0,
        0.0);
    if (dBias != null) {
      ColumnSums.of(dPre, dBias);
    }
    if (dx != null) {
      Nd4j.gemm(dPreRows, kernel, inputRows, false, true, 1.0, 0.0);
      dx.assign(inputs.permute(1, 0, 2));
    }
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
   * * steps} rows, batch-major: with {@code dPre} the gradient of every step's pre-activation,
   * {@code dKernel = x^T . dPre}, {@code dRecurrentKernel = statesBefore^T . dPre}, {@code dBias =
   * ones . dPre} ({@link ColumnSums}) and {@code dx = dPre . kernel^T}.
   *
   * @param x the layer's input {@code (n, steps, in)}
   * @param dPre {@code (n, steps, gates * units)}, row-major
   * @param statesBefore the state before each step {@code (n, steps, units)}, row-major
   * @param dKernel written, or null; likewise {@code dRecurrentKernel}, {@code dBias} and {@code
   *     dx}
   */
  static void gradientsAfterLoop(
      INDArray x,
      INDArray dPre,
      INDArray statesBefore,
      INDArray kernel,
      INDArray dKernel,
      INDArray dRecurrentKernel,
      INDArray recurrentKernel,
      INDArray dBias,
      INDArray dx) {
    INDArray dPreRows = Rows.ofLastAxis(dPre);
    Nd4j.gemm(Rows.ofLastAxis(x), dPreRows, Scratch.orScratch(dKernel, kernel), true, false, 1.0, 0.0);
    Nd4j.gemm(Rows.ofLastAxis(statesBefore), dPreRows,
        Scratch.orScratch(dRecurrentKernel, recurrentKernel), true, false, 1.0, 0.0);
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

  /**
   * The states before each step, as {@code (steps * n, units)} rows in the order of the
   * time-major work arrays: a view of a contiguous block of {@code states}.
   */
  static INDArray beforeRows(INDArray states, boolean reverse) {
    long stepRows = states.size(1);
    long units = states.size(2);
    long steps = states.size(0) - 1;
    return NdArrays.view(states, reverse ? stepRows * units : 0, steps * stepRows, units);
  }

  /**
   * Row {@code t} of a time-major work array, {@code (n, width)}: a view made from the offset, as
   * {@code slice} of such a view into a larger buffer came back as a scalar for its last row
   * (1.0.0-M2.1).
   */
  static INDArray row(INDArray timeMajor, long t) {
    long n = timeMajor.size(1);
    long width = timeMajor.size(2);
    return NdArrays.view(timeMajor, t * n * width, n, width);
  }

  /** Writes the layer output: every state after a step, {@code (n, steps, units)}, or the last. */
  static void writeOutput(INDArray states, boolean reverse, boolean returnSequences, INDArray out) {
    long steps = states.size(0) - 1;
    if (returnSequences) {
      long n = states.size(1);
      long units = states.size(2);
      INDArray afterSteps = NdArrays.view(states, reverse ? 0 : n * units, steps, n, units);
      out.assign(afterSteps.permute(1, 0, 2));
    } else {
      out.assign(row(states, reverse ? 0 : steps));
    }
  }
  /**
   * Adds what the output contributes to {@code dState}, the gradient with respect to the state
   * after step {@code t} (the {@code k}-th read): every step's with {@code returnSequences}, only
   * the last read's without. The caller zeroes {@code dState} first when returning sequences.
   */
  static void addOutputGradient(
      INDArray dOut, boolean returnSequences, long k, long t, long steps, INDArray dState) {
    if (returnSequences) {
      add(dState, step(dOut, t), dState);
    } else if (k == steps - 1) {
      dState.assign(dOut);
    }
  }


  /** Step {@code t} of a batch-major sequence {@code (n, steps, features)}: a view {@code (n, features)}. */
  static INDArray step(INDArray sequence, long t) {
    return sequence.get(NDArrayIndex.all(), NDArrayIndex.point(t), NDArrayIndex.all());
  }

  /** Columns {@code [from, to)} of a matrix: a view. */
  static INDArray columns(INDArray matrix, long from, long to) {
    return matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
  }

  static void add(INDArray a, INDArray b, INDArray out) {
    Nd4j.exec(new AddOp(a, b, out));
  }

  static void sub(INDArray a, INDArray b, INDArray out) {
    Nd4j.exec(new SubOp(a, b, out));
  }

  static void mul(INDArray a, INDArray b, INDArray out) {
    Nd4j.exec(new MulOp(a, b, out));
  }
}
