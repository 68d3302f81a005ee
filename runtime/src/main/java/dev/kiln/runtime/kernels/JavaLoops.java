package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elementwise kernels as Java loops over the arrays' native memory, for arrays small enough that
 * an ND4J op's fixed cost (tens of microseconds and a few kilobytes of Java heap per call)
 * outweighs its arithmetic; larger arrays go to libnd4j, which spreads them over the cores.
 *
 * <p>Float arrays go to {@link FloatLoops}, which loops in float arithmetic over chunks.
 */
final class JavaLoops {

  /** The largest array, in elements, worth a Java loop: an MLP's activations are 32,768. */
  static final long MAX_LENGTH = 1 << 17;

  private JavaLoops() {}

  /** Whether a Java loop should handle {@code array}. */
  static boolean suit(INDArray array) {
    return array.length() <= MAX_LENGTH && Elements.accepts(array);
  }

  /** The sum of the values of {@code x}, accumulated in double precision. */
  static double sum(INDArray x) {
    Elements values = Elements.of(x);
    double sum = 0;
    for (long i = 0, n = values.length(); i < n; i++) {
      sum += values.get(i);
    }
    return sum;
  }

  /** Whether no value of {@code x} is NaN or infinite. */
  static boolean allFinite(INDArray x) {
    Elements values = Elements.of(x);
    if (values instanceof Elements.Floats floats) {
      return FloatLoops.allFinite(floats);
    }
    boolean finite = true;
    for (long i = 0, n = values.length(); i < n; i++) {
      // No early exit: a loop without one runs faster, and a bad value is the rare case.
      finite &= Double.isFinite(values.get(i));
    }
    return finite;
  }

  /** Replaces {@code x} with {@code max(x, 0)}; NaN stays NaN, as in libnd4j. */
  static void relu(INDArray x) {
    Elements values = Elements.of(x);
    if (values instanceof Elements.Floats floats) {
      FloatLoops.relu(floats);
      return;
    }
    for (long i = 0, n = values.length(); i < n; i++) {
      if (values.get(i) < 0) {
        values.set(i, 0);
      }
    }
  }

  /** Zeroes {@code dy} where {@code y}, a ReLU's output, is not positive. */
  static void reluBackward(INDArray y, INDArray dy) {
    Elements output = Elements.of(y);
    Elements gradient = Elements.of(dy);
    if (output instanceof Elements.Floats out && gradient instanceof Elements.Floats grad) {
      FloatLoops.reluBackward(out, grad);
      return;
    }
    for (long i = 0, n = output.length(); i < n; i++) {
      if (!(output.get(i) > 0)) {
        gradient.set(i, 0);
      }
    }
  }

  /**
   * Writes the softmax over the last axis of {@code z} into {@code y}, which may be {@code z};
   * the row's maximum is subtracted first, as libnd4j does, so that no exponential overflows.
   */
  static void softmax(INDArray z, INDArray y) {
    Elements scores = Elements.of(z);
    Elements probabilities = Elements.of(y);
    long classes = z.size(z.rank() - 1);
    for (long start = 0, n = scores.length(); start < n; start += classes) {
      double max = Double.NEGATIVE_INFINITY;
      for (long i = start; i < start + classes; i++) {
        max = Math.max(max, scores.get(i));
      }
      double sum = 0;
      for (long i = start; i < start + classes; i++) {
        double e = Math.exp(scores.get(i) - max);
        probabilities.set(i, e);
        sum += e;
      }
      for (long i = start; i < start + classes; i++) {
        probabilities.set(i, probabilities.get(i) / sum);
      }
    }
  }

  /** Adds {@code bias} to every row of {@code rows}, a {@code (n, units)} matrix. */
  static void addBias(INDArray rows, INDArray bias) {
    Elements values = Elements.of(rows);
    Elements added = Elements.of(bias);
    if (values instanceof Elements.Floats out && added instanceof Elements.Floats b) {
      FloatLoops.addBias(out, b);
      return;
    }
    long units = added.length();
    for (long start = 0, n = values.length(); start < n; start += units) {
      for (long j = 0; j < units; j++) {
        values.set(start + j, values.get(start + j) + added.get(j));
      }
    }
  }

  /** Writes the sum of the rows of {@code rows}, a {@code (n, units)} matrix, into {@code out}. */
  static void sumRows(INDArray rows, INDArray out) {
    Elements values = Elements.of(rows);
    Elements sums = Elements.of(out);
    if (values instanceof Elements.Floats in && sums instanceof Elements.Floats total) {
      FloatLoops.sumRows(in, total);
      return;
    }
    long units = sums.length();
    long n = values.length();
    for (long j = 0; j < units; j++) {
      double sum = 0;
      for (long i = j; i < n; i += units) {
        sum += values.get(i);
      }
      sums.set(j, sum);
    }
  }
}
