package dev.kiln.runtime.losses;

import java.util.Arrays;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' per-sample weights for the losses computed during one step on this thread: {@code
 * fit} and {@code evaluate} take them from the data's sample weights and the class weights. Each loss then scales every term of sample {@code
 * i} by {@code weights[i]}, in its value and in its gradient, and still divides by the number
 * of terms (Keras' {@code sum_over_batch_size}), so a weight of 2 counts a sample twice.
 *
 * <p>Every loss honours them.
 *
 * <p>Why a scope rather than a parameter: a generated model calls each loss with one scalar
 * weight per output, and weights that vary per batch reach the losses without a change to the
 * generated code. Outside {@link #during}, every loss is unweighted, which evaluation relies on.
 */
public final class SampleWeights {

  private static final ThreadLocal<INDArray> current = new ThreadLocal<>();

  private SampleWeights() {}

  /**
   * Runs {@code step} (a training step) with the losses it computes weighted per sample by
   * {@code weights}, one per sample of its batch; returns what {@code step} returns.
   */
  public static double during(INDArray weights, DoubleSupplier step) {
    if (weights == null || weights.rank() != 1) {
      throw new IllegalArgumentException(
          "sample weights must be a vector, one weight per sample, got "
              + (weights == null ? "null" : Arrays.toString(weights.shape())));
    }
    INDArray outer = current.get();
    current.set(weights);
    try {
      return step.getAsDouble();
    } finally {
      if (outer == null) {
        current.remove();
      } else {
        current.set(outer);
      }
    }
  }

  /** The weights of the current step, or null outside {@link #during}. */
  static INDArray current() {
    return current.get();
  }

  /**
   * Multiplies each sample's terms in {@code terms} (first axis: samples) by the sample's
   * weight; does nothing outside {@link #during}.
   */
  static void scale(INDArray terms) {
    INDArray weights = current.get();
    if (weights == null) {
      return;
    }
    if (weights.length() != terms.size(0)) {
      throw new IllegalStateException(
          weights.length() + " sample weights for a batch of " + terms.size(0) + " samples");
    }
    Nd4j.exec(new BroadcastMulOp(terms, weights, terms, 0));
  }
}
