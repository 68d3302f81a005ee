package dev.kiln.runtime.callbacks;

import dev.kiln.runtime.Callback;
import java.util.Map;

/**
 * Keras' {@code LearningRateScheduler}: sets the learning rate at the start of every epoch from
 * a schedule of the epoch and the current rate, and records it as {@code learning_rate} in the
 * epoch's logs. Epochs count from 1 here, as everywhere in Kiln; Keras counts them from 0, so a
 * Keras schedule {@code epoch < 10} reads {@code epoch <= 10}:
 *
 * <pre>{@code
 * new LearningRateScheduler((epoch, rate) -> epoch <= 10 ? rate : rate * Math.exp(-0.1))
 * }</pre>
 */
public final class LearningRateScheduler implements Callback {

  /** The learning rate for an epoch. */
  @FunctionalInterface
  public interface Schedule {
    /** The rate for {@code epoch} (from 1), given the rate in use so far. */
    double rate(int epoch, double currentRate);
  }

  private final Schedule schedule;
  private final boolean verbose;
  private Training training;

  public LearningRateScheduler(Schedule schedule) {
    this(schedule, false);
  }

  private LearningRateScheduler(Schedule schedule, boolean verbose) {
    if (schedule == null) {
      throw new IllegalArgumentException("LearningRateScheduler needs a schedule");
    }
    this.schedule = schedule;
    this.verbose = verbose;
  }

  /** Whether to say the rate it sets, every epoch. */
  public LearningRateScheduler verbose(boolean verbose) {
    return new LearningRateScheduler(schedule, verbose);
  }

  @Override
  public void onTrainBegin(Training training) {
    if (training.updater().schedule() != null) {
      throw new IllegalStateException(
          "LearningRateScheduler changes the learning rate, but the updater's rate follows the schedule "
              + training.updater().schedule() + "; drop one of them");
    }
    this.training = training;
  }

  @Override
  public void onEpochBegin(int epoch) {
    double rate = schedule.rate(epoch, training.updater().learningRate());
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException(
          "LearningRateScheduler's schedule gave " + rate + " for epoch " + epoch
              + "; a learning rate must be a positive number");
    }
    training.updater().setLearningRate(rate);
    if (verbose) {
      training.log("Epoch " + epoch + ": LearningRateScheduler setting learning rate to "
          + PythonFormat.repr(rate) + ".");
    }
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    logs.put("learning_rate", training.updater().learningRate());
  }
}
