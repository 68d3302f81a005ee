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
    if (parameters instanceof Elements.Floats p && gradients instanceof Elements.Floats g
        && meanSquare instanceof Elements.Floats a) {
      updateFloats(p, g, a, span);
      return;
    }
    double smallest = Subnormals.smallestNormal(meanSquare);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double a = Subnormals.flush(rho * meanSquare.get(i) + (1 - rho) * g * g, smallest);
      meanSquare.set(i, a);
      span.move(parameters, gradients, i, rate * g / (Math.sqrt(a) + epsilon));
    }
  }

  /**
   * The same update in float arithmetic, as PyTorch and Keras run it on float32 parameters:
   * Headlines' 5.2M parameters took 60 to 90 ms of CPU a step in double arithmetic (see {@link
   * Elements.Floats} for why). Whole vectors run in lanes where the Vector API is on ({@link
   * UpdateLanes}), the rest here.
   */
  private void updateFloats(Elements.Floats parameters, Elements.Floats gradients,
      Elements.Floats meanSquare, Span span) {
    float keepSquare = (float) rho;
    float addSquare = (float) (1 - rho);
    float eps = (float) epsilon;
    float r = (float) rate;
    int i = Math.toIntExact(span.from());
    if (lanes) {
      i = UpdateLanes.rmsProp(parameters, gradients, meanSquare, span, keepSquare, addSquare, eps,
          r);
    }
    for (int n = Math.toIntExact(span.to()); i < n; i++) {
      float g = span.gradient(gradients, i);
      float a = Subnormals.flush(keepSquare * meanSquare.at(i) + addSquare * g * g);
      meanSquare.put(i, a);
      span.move(parameters, gradients, i, r * g / ((float) Math.sqrt(a) + eps));
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
