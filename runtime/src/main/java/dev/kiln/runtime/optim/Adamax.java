package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * Keras' {@code Adamax} (Kingma and Ba, section 7), Adam with the infinity norm, defaults beta1
 * 0.9, beta2 0.999, epsilon 1e-7: {@code m = b1 m + (1 - b1) g; u = max(b2 u, |g|); p -= lr m /
 * ((1 - b1^t) (u + eps))}.
 */
public final class Adamax extends MomentUpdater {

  private double rate;

  public Adamax(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  public Adamax(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate, beta1, beta2, epsilon);
  }

  @Override
  protected void beginStep(long iteration, double learningRate) {
    rate = learningRate / (1 - Math.pow(beta1, iteration + 1));
  }

  @Override
  protected void update(Elements parameters, Elements gradients, Span span) {
    Elements firstMoment = state(0);
    Elements norm = state(1);
    double smallest = Subnormals.smallestNormal(firstMoment);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double m = Subnormals.flush(nextFirstMoment(firstMoment.get(i), g), smallest);
      double u = Subnormals.flush(Math.max(beta2 * norm.get(i), Math.abs(g)), smallest);
      firstMoment.set(i, m);
      norm.set(i, u);
      span.move(parameters, gradients, i, rate * m / (u + epsilon));
    }
  }

  @Override
  public String name() {
    return "adamax";
  }
}
