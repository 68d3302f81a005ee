package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * Stochastic gradient descent, Keras' {@code SGD}: {@code p -= lr * g}; with momentum {@code m},
 * {@code v = m v - lr g; p += v} (Nesterov: {@code p += m v - lr g}).
 */
public final class Sgd extends Updater {

  private final double momentum;
  private final boolean nesterov;
  private double rate;

  public Sgd(double learningRate) {
    this(learningRate, 0.0, false);
  }

  public Sgd(double learningRate, double momentum, boolean nesterov) {
    super(learningRate);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  @Override
  protected void beginStep(long iteration, double learningRate) {
    rate = learningRate;
  }

  @Override
  protected void update(Elements parameters, Elements gradients, Span span) {
    Elements velocity = momentum == 0 ? null : state(0);
    double smallest = velocity == null ? 0 : Subnormals.smallestNormal(velocity);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double step = rate * span.gradient(gradients, i);
      double update = step;
      if (velocity != null) {
        double v = Subnormals.flush(momentum * velocity.get(i) - step, smallest);
        velocity.set(i, v);
        // the applied update: -v, so that p += v; Nesterov's lr g - m v, so that p += m v - lr g
        update = nesterov ? step - momentum * v : -v;
      }
      span.move(parameters, gradients, i, update);
    }
  }

  @Override
  protected int stateCount() {
    return momentum == 0 ? 0 : 1;
  }

  @Override
  public String name() {
    return "sgd";
  }
}
