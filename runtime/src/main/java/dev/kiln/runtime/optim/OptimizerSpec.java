package dev.kiln.runtime.optim;

import dev.kiln.Optimizer;
import dev.kiln.runtime.optim.schedules.LearningRateSchedule;

/**
 * An optimizer with its options, as {@code @Model} declares it and the generated model hands it
 * to the runtime: {@code OptimizerSpec.of(ADAMW).weightDecay(0.01, false).clipNorm(1.0)}.
 * Immutable; each option returns a changed copy. Unset values ({@code NaN}) mean Keras' default.
 *
 * @param optimizer the update rule
 * @param learningRate the fixed rate; {@code NaN} for Keras' default
 * @param schedule the schedule replacing the fixed rate, or null
 * @param momentum SGD's momentum, in [0, 1)
 * @param nesterov whether SGD's momentum is Nesterov's
 * @param weightDecay decoupled weight decay; {@code NaN} for the optimizer's default
 * @param decayBiasesAndNorms whether the decay also shrinks biases and normalization weights
 * @param clipping gradient clipping
 */
public record OptimizerSpec(
    Optimizer optimizer,
    double learningRate,
    LearningRateSchedule schedule,
    double momentum,
    boolean nesterov,
    double weightDecay,
    boolean decayBiasesAndNorms,
    GradientClipping clipping) {

  public OptimizerSpec {
    if (optimizer == null) {
      throw new IllegalArgumentException("the optimizer is null");
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (momentum != 0 && optimizer != Optimizer.SGD || nesterov && optimizer != Optimizer.SGD) {
      throw new IllegalArgumentException(
          "momentum and nesterov are SGD's options; " + optimizer + " has its own momentum");
    }
    if (schedule != null && !Double.isNaN(learningRate)) {
      throw new IllegalArgumentException(
          "a schedule and a fixed learning rate " + learningRate + " are both set; the schedule"
              + " decides the rate, drop the fixed one");
    }
    if (clipping == null) {
      throw new IllegalArgumentException("clipping is null; use GradientClipping.NONE for none");
    }
  }

  /** {@code optimizer} with Keras' defaults. */
  public static OptimizerSpec of(Optimizer optimizer) {
    return new OptimizerSpec(
        optimizer, Double.NaN, null, 0, false, Double.NaN, true, GradientClipping.NONE);
  }

  public OptimizerSpec learningRate(double rate) {
    return new OptimizerSpec(optimizer, rate, schedule, momentum, nesterov, weightDecay,
        decayBiasesAndNorms, clipping);
  }

  public OptimizerSpec schedule(LearningRateSchedule schedule) {
    return new OptimizerSpec(optimizer, learningRate, schedule, momentum, nesterov, weightDecay,
        decayBiasesAndNorms, clipping);
  }

  /** SGD's momentum, Nesterov's or not. */
  public OptimizerSpec momentum(double momentum, boolean nesterov) {
    return new OptimizerSpec(optimizer, learningRate, schedule, momentum, nesterov, weightDecay,
        decayBiasesAndNorms, clipping);
  }

  public OptimizerSpec weightDecay(double weightDecay, boolean decayBiasesAndNorms) {
    return new OptimizerSpec(optimizer, learningRate, schedule, momentum, nesterov, weightDecay,
        decayBiasesAndNorms, clipping);
  }

  public OptimizerSpec clipping(GradientClipping clipping) {
    return new OptimizerSpec(optimizer, learningRate, schedule, momentum, nesterov, weightDecay,
        decayBiasesAndNorms, clipping);
  }

  public OptimizerSpec clipNorm(double limit) {
    return clipping(GradientClipping.clipNorm(limit));
  }

  public OptimizerSpec globalClipNorm(double limit) {
    return clipping(GradientClipping.globalClipNorm(limit));
  }

  public OptimizerSpec clipValue(double limit) {
    return clipping(GradientClipping.clipValue(limit));
  }

  /** A new updater of this spec, with fresh state. */
  public Updater create() {
    Updater updater = optimizer == Optimizer.SGD && momentum != 0
        ? new Sgd(rateOrDefault(), momentum, nesterov)
        : Updaters.create(optimizer, rateOrDefault());
    double decay = Double.isNaN(weightDecay) ? Updaters.defaultWeightDecay(optimizer) : weightDecay;
    return updater
        .setWeightDecay(decay, decayBiasesAndNorms)
        .setClipping(clipping)
        .setSchedule(schedule);
  }

  private double rateOrDefault() {
    return Double.isNaN(learningRate) ? Updaters.defaultLearningRate(optimizer) : learningRate;
  }
}
