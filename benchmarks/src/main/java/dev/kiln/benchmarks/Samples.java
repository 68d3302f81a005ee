package dev.kiln.benchmarks;

import java.util.Arrays;

/**
 * Durations of repeated runs of one thing, in milliseconds. The machine the benchmark runs on is
 * shared, so single runs are disturbed at random: the median is the figure to compare, and the
 * 10th and 90th percentiles show how much the runs spread.
 */
public record Samples(double[] millis) {

  public Samples {
    if (millis.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    millis = millis.clone();
    Arrays.sort(millis);
  }

  public double median() {
    return percentile(50);
  }

  public double p10() {
    return percentile(10);
  }

  public double p90() {
    return percentile(90);
  }

  public int count() {
    return millis.length;
  }

  /**
   * The {@code p}-th percentile, interpolated linearly between the two nearest ranks (numpy's
   * default), so that the median of an even count is the mean of the middle two.
   */
  public double percentile(double p) {
    double rank = p / 100 * (millis.length - 1);
    int below = (int) Math.floor(rank);
    int above = Math.min(below + 1, millis.length - 1);
    return millis[below] + (rank - below) * (millis[above] - millis[below]);
  }
}
