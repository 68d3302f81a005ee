package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * Adam with Keras' rule and defaults (beta1 0.9, beta2 0.999, epsilon 1e-7): {@code p -= lr_t m
 * / (sqrt(v) + eps)} with {@code lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)}.
 */
public final class Adam extends Updater {

  private final double beta1;
  private final double beta2;
  private final double epsilon;

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
  protected void apply(Elements parameters, Elements gradients, long iteration) {
    Elements secondMoment = state(0);
    Elements firstMoment = state(1);
    long t = iteration + 1;
    double rate = learningRate() * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
    for (long i = 0, n = parameters.length(); i < n; i++) {
      double g = gradients.get(i);
      double m = beta1 * firstMoment.get(i) + (1 - beta1) * g;
      double v = beta2 * secondMoment.get(i) + (1 - beta2) * g * g;
      firstMoment.set(i, m);
      secondMoment.set(i, v);
      double update = rate * m / (Math.sqrt(v) + epsilon);
      gradients.set(i, update);
      parameters.set(i, parameters.get(i) - update);
    }
  }

  @Override
  protected int stateCount() {
    return 2;
  }

  @Override
  public String name() {
    return "adam";
  }
}
