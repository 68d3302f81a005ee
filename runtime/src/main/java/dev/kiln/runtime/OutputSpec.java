package dev.kiln.runtime;

import dev.kiln.Loss;
import dev.kiln.Metric;
import java.util.List;

/**
 * An output of a generated model and how it is trained.
 *
 * @param name the output layer's name
 * @param shape the shape of one sample; {@code -1} marks a variable axis
 * @param loss the loss minimised for it
 * @param weight its weight in the total loss
 * @param metrics the metrics reported for it
 * @param fromLogits whether it outputs raw scores that the loss turns into probabilities
 * @param labelSmoothing Keras' label smoothing of its cross-entropy's targets; 0 for none
 */
public record OutputSpec(
    String name, long[] shape, Loss loss, double weight, List<Metric> metrics, boolean fromLogits,
    double labelSmoothing) {

  /** An output without label smoothing. */
  public OutputSpec(
      String name, long[] shape, Loss loss, double weight, List<Metric> metrics,
      boolean fromLogits) {
    this(name, shape, loss, weight, metrics, fromLogits, 0);
  }

  /** An output of probabilities (Keras' {@code from_logits=False}). */
  public OutputSpec(String name, long[] shape, Loss loss, double weight, List<Metric> metrics) {
    this(name, shape, loss, weight, metrics, false);
  }
}
