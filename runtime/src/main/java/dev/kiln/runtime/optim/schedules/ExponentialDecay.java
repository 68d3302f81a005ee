package dev.kiln.runtime.optim.schedules;

/**
 * Keras' {@code ExponentialDecay}: {@code initial * decayRate^(step / decaySteps)}, the exponent
 * floored when {@code staircase}, so that the rate drops by {@code decayRate} every {@code
 * decaySteps} updates.
 */
public record ExponentialDecay(
    double initialLearningRate, long decaySteps, double decayRate, boolean staircase)
    implements LearningRateSchedule {

  public ExponentialDecay {
    LearningRateSchedule.require(initialLearningRate > 0 && Double.isFinite(initialLearningRate),
        "ExponentialDecay's initial learning rate must be a positive number, got "
            + initialLearningRate);
    LearningRateSchedule.require(decaySteps > 0,
        "ExponentialDecay's decaySteps must be at least 1, got " + decaySteps);
    LearningRateSchedule.require(decayRate > 0 && Double.isFinite(decayRate),
        "ExponentialDecay's decayRate must be a positive number, got " + decayRate);
  }

  @Override
  public double rate(long step) {
    double exponent = (double) step / decaySteps;
    return initialLearningRate * Math.pow(decayRate, staircase ? Math.floor(exponent) : exponent);
  }
}
