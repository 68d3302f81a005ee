package dev.kiln.runtime.optim.schedules;

/**
 * Keras' {@code LearningRateSchedule}: the learning rate as a function of the optimizer's step
 * count, evaluated before every batch's update ({@code step} is 0 for the first update). Set on an
 * updater with {@code setSchedule}, from {@code FitOptions.schedule}, or at build time with a
 * schedule attribute of {@code @Model}.
 */
public interface LearningRateSchedule {

  /** The rate of the update after {@code step} earlier updates; 0 or more. */
  double rate(long step);

  /** Checks a schedule argument; the message names it and what it needs. */
  static void require(boolean valid, String what) {
    if (!valid) {
      throw new IllegalArgumentException(what);
    }
  }
}
