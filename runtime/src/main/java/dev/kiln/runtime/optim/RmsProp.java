package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * RMSprop with Keras' rule and defaults (rho 0.9, epsilon 1e-7): {@code a = rho a + (1 - rho)
 * g^2; p -= lr g / (sqrt(a) + eps)}.
 */
public final class RmsProp extends Updater {

  private final double rho;
  private final double epsilon;
  private double rate;

  public RmsProp(double learningRate) {
    this(learningRate, 0.9, 1e-7);
  }

  public RmsProp(double learningRate, double rho, double epsilon) {
    super(learningRate);
    this.rho = rho;
    this.epsilon = epsilon;
  }

  @Override
  protected void beginStep(long iteration, double learningRate) {
    rate = learningRate;
  }

  @Override
  protected void update(Elements parameters, Elements gradients, Span span) {
    Elements meanSquare = state(0);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double a = rho * meanSquare.get(i) + (1 - rho) * g * g;
      meanSquare.set(i, a);
      span.move(parameters, gradients, i, rate * g / (Math.sqrt(a) + epsilon));
    }
  }

  @Override
  protected int stateCount() {
    return 1;
  }

  @Override
  public String name() {
    return "rmsprop";
  }
}
