package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * Keras' {@code Lion} (Chen et al., "Symbolic Discovery of Optimization Algorithms"), defaults
 * beta1 0.9, beta2 0.99: {@code p -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g}. Its
 * updates are all of size {@code lr}, so it wants a rate 3 to 10 times below AdamW's.
 */
public final class Lion extends Updater {

  private final double beta1;
  private final double beta2;
  private double rate;

  public Lion(double learningRate) {
    this(learningRate, 0.9, 0.99);
  }

  public Lion(double learningRate, double beta1, double beta2) {
    super(learningRate);
    if (!(beta1 >= 0 && beta1 <= 1 && beta2 >= 0 && beta2 <= 1)) {
      throw new IllegalArgumentException(
          "Lion's beta1 and beta2 must be in [0, 1], got " + beta1 + " and " + beta2);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
  }

  @Override
  protected void beginStep(long iteration, double learningRate) {
    rate = learningRate;
  }

  @Override
  protected void update(Elements parameters, Elements gradients, Span span) {
    Elements momentum = state(0);
    double smallest = Subnormals.smallestNormal(momentum);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double m = momentum.get(i);
      span.move(parameters, gradients, i, rate * Math.signum(beta1 * m + (1 - beta1) * g));
      momentum.set(i, Subnormals.flush(beta2 * m + (1 - beta2) * g, smallest));
    }
  }

  @Override
  protected int stateCount() {
    return 1;
  }

  @Override
  public String name() {
    return "lion";
  }
}
