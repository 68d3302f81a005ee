package dev.kiln.runtime.optim.schedules;

/**
 * Keras' {@code CosineDecay} (Loshchilov and Hutter, SGDR), with its optional linear warm-up.
 * Without warm-up ({@code warmupSteps = 0}): {@code initial * ((1 - alpha) c + alpha)} with
 * {@code c = (1 + cos(pi * min(step, decaySteps) / decaySteps)) / 2}. With warm-up the rate climbs
 * linearly from {@code initial} at step 0 to {@code warmupTarget} at step {@code warmupSteps}, then
 * decays from {@code warmupTarget} the same way over the next {@code decaySteps} steps.
 *
 * @param initialLearningRate the rate at step 0 (with warm-up often small, Keras allows 0)
 * @param decaySteps how many steps the cosine takes
 * @param alpha the floor, as a fraction of the rate decayed from
 * @param warmupTarget the rate warm-up reaches; {@code NaN} for no warm-up
 * @param warmupSteps how many steps warm-up takes
 */
public record CosineDecay(
    double initialLearningRate, long decaySteps, double alpha, double warmupTarget,
    long warmupSteps) implements LearningRateSchedule {

  public CosineDecay {
    LearningRateSchedule.require(initialLearningRate >= 0 && Double.isFinite(initialLearningRate),
        "CosineDecay's initial learning rate must be a number >= 0, got " + initialLearningRate);
    LearningRateSchedule.require(decaySteps > 0,
        "CosineDecay's decaySteps must be at least 1, got " + decaySteps);
    LearningRateSchedule.require(alpha >= 0 && alpha <= 1,
        "CosineDecay's alpha must be in [0, 1], got " + alpha);
    LearningRateSchedule.require(warmupSteps >= 0,
        "CosineDecay's warmupSteps must be >= 0, got " + warmupSteps);
    LearningRateSchedule.require(
        Double.isNaN(warmupTarget) ? warmupSteps == 0 : warmupTarget > 0 && Double.isFinite(warmupTarget),
        Double.isNaN(warmupTarget)
            ? "CosineDecay has warmupSteps " + warmupSteps + " but no warmupTarget; set the rate"
                + " warm-up climbs to"
            : "CosineDecay's warmupTarget must be a positive number, got " + warmupTarget);
  }

  /** Cosine decay from {@code initialLearningRate} to {@code alpha} times it, no warm-up. */
  public static CosineDecay of(double initialLearningRate, long decaySteps, double alpha) {
    return new CosineDecay(initialLearningRate, decaySteps, alpha, Double.NaN, 0);
  }

  /** Linear warm-up from {@code initial} to {@code target}, then cosine decay to {@code alpha}. */
  public static CosineDecay withWarmup(
      double initial, long warmupSteps, double target, long decaySteps, double alpha) {
    return new CosineDecay(initial, decaySteps, alpha, target, warmupSteps);
  }

  @Override
  public double rate(long step) {
    if (Double.isNaN(warmupTarget)) {
      return decayed(Math.min(step, decaySteps), initialLearningRate);
    }
    long clamped = Math.min(step, decaySteps + warmupSteps);
    if (clamped < warmupSteps) {
      return initialLearningRate
          + (warmupTarget - initialLearningRate) * clamped / (double) warmupSteps;
    }
    return decayed(clamped - warmupSteps, warmupTarget);
  }

  private double decayed(long step, double from) {
    double cosine = 0.5 * (1 + Math.cos(Math.PI * step / (double) decaySteps));
    return from * ((1 - alpha) * cosine + alpha);
  }
}
