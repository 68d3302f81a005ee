package dev.kiln.runtime.optim.schedules;

/**
 * Keras' {@code PolynomialDecay}: {@code (initial - end) * (1 - s / decaySteps)^power + end}
 * with {@code s = min(step, decaySteps)}; with {@code cycle}, {@code decaySteps} grows to the
 * next multiple of itself at or above the step instead, so the decay restarts.
 */
public record PolynomialDecay(
    double initialLearningRate, long decaySteps, double endLearningRate, double power,
    boolean cycle) implements LearningRateSchedule {

  public PolynomialDecay {
    LearningRateSchedule.require(initialLearningRate > 0 && Double.isFinite(initialLearningRate),
        "PolynomialDecay's initial learning rate must be a positive number, got "
            + initialLearningRate);
    LearningRateSchedule.require(decaySteps > 0,
        "PolynomialDecay's decaySteps must be at least 1, got " + decaySteps);
    LearningRateSchedule.require(endLearningRate >= 0 && Double.isFinite(endLearningRate),
        "PolynomialDecay's end learning rate must be a number >= 0, got " + endLearningRate);
    LearningRateSchedule.require(power > 0 && Double.isFinite(power),
        "PolynomialDecay's power must be a positive number, got " + power);
  }

  /** Keras' defaults: to 1e-4, linearly, without cycling. */
  public static PolynomialDecay of(double initialLearningRate, long decaySteps) {
    return new PolynomialDecay(initialLearningRate, decaySteps, 1e-4, 1, false);
  }

  @Override
  public double rate(long step) {
    double steps = decaySteps;
    double s = step;
    if (cycle) {
      // Keras: at step 0 the multiplier is 1, not 0
      steps = decaySteps * (step == 0 ? 1 : Math.ceil(s / decaySteps));
    } else {
      s = Math.min(s, steps);
    }
    return (initialLearningRate - endLearningRate) * Math.pow(1 - s / steps, power)
        + endLearningRate;
  }
}
