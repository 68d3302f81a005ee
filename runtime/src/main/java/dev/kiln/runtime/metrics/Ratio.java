package dev.kiln.runtime.metrics;

/**
 * A metric's contribution from one batch: its value over the epoch is the sum of the numerators
 * over the sum of the denominators. Accuracy counts correct predictions over predictions;
 * precision true positives over predicted positives, which is why batch means cannot simply be
 * averaged.
 */
public record Ratio(double numerator, double denominator) {

  /** The value of this batch alone; 0 when nothing was counted. */
  public double value() {
    return denominator == 0 ? 0 : numerator / denominator;
  }
}
