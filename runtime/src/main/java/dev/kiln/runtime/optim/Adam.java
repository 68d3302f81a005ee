package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * Adam with Keras' rule and defaults (beta1 0.9, beta2 0.999, epsilon 1e-7): {@code p -= lr_t m
 * / (sqrt(v) + eps)} with {@code lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)}.
 */
public class Adam extends Updater {

  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private double rate;

  public Adam(double learningRate) {
    this(learningRate, 0.9, 0.999, 1e-7);
  }

  public Adam(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  @Override
  protected final void beginStep(long iteration, double learningRate) {
    long t = iteration + 1;
    rate = learningRate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
  }

  @Override
  protected final void update(Elements parameters, Elements gradients, Span span) {
    Elements secondMoment = state(0);
    Elements firstMoment = state(1);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double m = beta1 * firstMoment.get(i) + (1 - beta1) * g;
      double v = beta2 * secondMoment.get(i) + (1 - beta2) * g * g;
      firstMoment.set(i, m);
      secondMoment.set(i, v);
      span.move(parameters, gradients, i, rate * m / (Math.sqrt(v) + epsilon));
    }
  }

  @Override
  protected final int stateCount() {
    return 2;
  }

  @Override
  public String name() {
    return "adam";
  }
}
