package dev.kiln.runtime.optim;

import dev.kiln.Optimizer;

/** Updaters from the {@link Optimizer} named on a {@code @Model}: the one table of them. */
public final class Updaters {

  private Updaters() {}

  /**
   * The updater for {@code optimizer} with Keras' defaults; a {@code NaN} learning rate means
   * Keras' default for that optimizer (0.01 for SGD, 0.001 otherwise).
   */
  public static Updater create(Optimizer optimizer, double learningRate) {
    double rate = Double.isNaN(learningRate) ? defaultLearningRate(optimizer) : learningRate;
    return switch (optimizer) {
      case SGD -> new Sgd(rate);
      case ADAM -> new Adam(rate);
      case RMSPROP -> new RmsProp(rate);
      case ADAGRAD -> new AdaGrad(rate);
      case ADAMW -> new AdamW(rate);
      case ADAMAX -> new Adamax(rate);
      case NADAM -> new Nadam(rate);
      case LION -> new Lion(rate);
    };
  }

  /** Keras' default learning rate for {@code optimizer}. */
  public static double defaultLearningRate(Optimizer optimizer) {
    return optimizer == Optimizer.SGD ? 0.01 : 0.001;
  }

  /** Keras' default weight decay for {@code optimizer}: 0.004 for AdamW, none otherwise. */
  public static double defaultWeightDecay(Optimizer optimizer) {
    return optimizer == Optimizer.ADAMW ? AdamW.DEFAULT_WEIGHT_DECAY : 0;
  }
}
