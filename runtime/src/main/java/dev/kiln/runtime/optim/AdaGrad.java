package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * AdaGrad with Keras' rule and defaults (initial accumulator 0.1, epsilon 1e-7): {@code a +=
 * g^2; p -= lr g / (sqrt(a) + eps)}.
 */
public final class AdaGrad extends Updater {

  private final double initialAccumulator;
  private final double epsilon;

  public AdaGrad(double learningRate) {
    this(learningRate, 0.1, 1e-7);
  }

  public AdaGrad(double learningRate, double initialAccumulator, double epsilon) {
    super(learningRate);
    this.initialAccumulator = initialAccumulator;
    this.epsilon = epsilon;
  }

  @Override
  protected void apply(Elements parameters, Elements gradients, long iteration) {
    Elements accumulator = state(0);
    double rate = learningRate();
    for (long i = 0, n = parameters.length(); i < n; i++) {
      double g = gradients.get(i);
      double a = accumulator.get(i) + g * g;
      accumulator.set(i, a);
      double update = rate * g / (Math.sqrt(a) + epsilon);
      gradients.set(i, update);
      parameters.set(i, parameters.get(i) - update);
    }
  }

  @Override
  protected int stateCount() {
    return 1;
  }

  @Override
  protected double initialStateValue(int index) {
    return initialAccumulator;
  }

  @Override
  public String name() {
    return "adagrad";
  }
}
