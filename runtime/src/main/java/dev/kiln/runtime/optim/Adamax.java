package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * Keras' {@code Adamax} (Kingma and Ba, section 7), Adam with the infinity norm, defaults beta1
 * 0.9, beta2 0.999, epsilon 1e-7: {@code m = b1 m + (1 - b1) g; u = max(b2 u, |g|); p -= lr m /
 * ((1 - b1^t) (u + eps))}.
 */
public final class Adamax extends Updater {

  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private double rate;

  public Adamax(double learningRate) {
    this(learningRate, 0.9, 0.999, 1e-7);
  }

  public Adamax(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  @Override
  protected void beginStep(long iteration, double learningRate) {
    rate = learningRate / (1 - Math.pow(beta1, iteration + 1));
  }

  @Override
  protected void update(Elements parameters, Elements gradients, Span span) {
    Elements firstMoment = state(0);
    Elements norm = state(1);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double m = beta1 * firstMoment.get(i) + (1 - beta1) * g;
      double u = Math.max(beta2 * norm.get(i), Math.abs(g));
      firstMoment.set(i, m);
      norm.set(i, u);
      span.move(parameters, gradients, i, rate * m / (u + epsilon));
    }
  }

  /** The first moment, then the exponentially weighted infinity norm. */
  @Override
  protected int stateCount() {
    return 2;
  }

  @Override
  public String name() {
    return "adamax";
  }
}
