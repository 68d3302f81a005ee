package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * RMSprop with Keras' rule and defaults (rho 0.9, epsilon 1e-7): {@code a = rho a + (1 - rho)
 * g^2; p -= lr g / (sqrt(a) + eps)}.
 */
public final class RmsProp extends Updater {

  private final double rho;
  private final double epsilon;

  public RmsProp(double learningRate) {
    this(learningRate, 0.9, 1e-7);
  }

  public RmsProp(double learningRate, double rho, double epsilon) {
    super(learningRate);
    this.rho = rho;
    this.epsilon = epsilon;
  }

  @Override
  protected void apply(Elements parameters, Elements gradients, long iteration) {
    Elements meanSquare = state(0);
    double rate = learningRate();
    for (long i = 0, n = parameters.length(); i < n; i++) {
      double g = gradients.get(i);
      double a = rho * meanSquare.get(i) + (1 - rho) * g * g;
      meanSquare.set(i, a);
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
  public String name() {
    return "rmsprop";
  }
}
