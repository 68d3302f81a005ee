package dev.kiln.runtime.kernels;

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
