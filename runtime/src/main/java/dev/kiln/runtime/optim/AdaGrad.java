package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * AdaGrad with Keras' rule and defaults (initial accumulator 0.1, epsilon 1e-7): {@code a +=
 * g^2; p -= lr g / (sqrt(a) + eps)}.
 */
public final class AdaGrad extends Updater {

  private final double initialAccumulator;
  private final double epsilon;
  private double rate;

  public AdaGrad(double learningRate) {
    this(learningRate, 0.1, 1e-7);
  }

  public AdaGrad(double learningRate, double initialAccumulator, double epsilon) {
    super(learningRate);
    this.initialAccumulator = initialAccumulator;
    this.epsilon = epsilon;
  }

  @Override
  protected void beginStep(long iteration, double learningRate) {
    rate = learningRate;
  }

  @Override
  protected void update(Elements parameters, Elements gradients, Span span) {
    Elements accumulator = state(0);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double a = accumulator.get(i) + g * g;
      accumulator.set(i, a);
      span.move(parameters, gradients, i, rate * g / (Math.sqrt(a) + epsilon));
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
