package dev.kiln.runtime.optim.schedules;

import java.util.Arrays;

/**
 * Keras' {@code PiecewiseConstantDecay}: {@code values[0]} up to and including step {@code
 * boundaries[0]}, {@code values[i]} for steps in {@code (boundaries[i-1], boundaries[i]]}, and
 * the last value after the last boundary.
 */
public record PiecewiseConstantDecay(long[] boundaries, double[] values)
    implements LearningRateSchedule {

  public PiecewiseConstantDecay {
    LearningRateSchedule.require(values.length == boundaries.length + 1,
        "PiecewiseConstantDecay needs one value more than boundaries, got "
            + boundaries.length + " boundaries and " + values.length + " values");
    for (int i = 1; i < boundaries.length; i++) {
      LearningRateSchedule.require(boundaries[i] > boundaries[i - 1],
          "PiecewiseConstantDecay's boundaries must increase, got " + Arrays.toString(boundaries));
    }
    for (double value : values) {
      LearningRateSchedule.require(value > 0 && Double.isFinite(value),
          "PiecewiseConstantDecay's values must be positive numbers, got "
              + Arrays.toString(values));
    }
    boundaries = boundaries.clone();
    values = values.clone();
  }

  @Override
  public double rate(long step) {
    int piece = 0;
    while (piece < boundaries.length && step > boundaries[piece]) {
      piece++;
    }
    return values[piece];
  }

  @Override
  public long[] boundaries() {
    return boundaries.clone();
  }

  @Override
  public double[] values() {
    return values.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PiecewiseConstantDecay that
        && Arrays.equals(boundaries, that.boundaries) && Arrays.equals(values, that.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(boundaries) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "PiecewiseConstantDecay[boundaries=" + Arrays.toString(boundaries) + ", values="
        + Arrays.toString(values) + "]";
  }
}
