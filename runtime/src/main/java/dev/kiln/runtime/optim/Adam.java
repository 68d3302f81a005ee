package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * Adam with Keras' rule and defaults (beta1 0.9, beta2 0.999, epsilon 1e-7): {@code p -= lr_t m
 * / (sqrt(v) + eps)} with {@code lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)}.
 */
public class Adam extends MomentUpdater {

  private double rate;

  public Adam(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  public Adam(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate, beta1, beta2, epsilon);
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
    if (parameters instanceof Elements.Floats p && gradients instanceof Elements.Floats g
        && secondMoment instanceof Elements.Floats v && firstMoment instanceof Elements.Floats m) {
      updateFloats(p, g, v, m, span);
      return;
    }
    double smallest = Subnormals.smallestNormal(firstMoment);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double m = Subnormals.flush(nextFirstMoment(firstMoment.get(i), g), smallest);
      double v = Subnormals.flush(nextSecondMoment(secondMoment.get(i), g), smallest);
      firstMoment.set(i, m);
      secondMoment.set(i, v);
      span.move(parameters, gradients, i, rate * m / (Math.sqrt(v) + epsilon));
    }
  }

  /**
   * The same update in float arithmetic, as PyTorch and Keras run it on float32 parameters: whole
   * vectors in lanes where the Vector API is on ({@link UpdateLanes}), the rest here.
   */
  private void updateFloats(
      Elements.Floats parameters, Elements.Floats gradients, Elements.Floats secondMoment,
      Elements.Floats firstMoment, Span span) {
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float c1 = (float) (1 - beta1);
    float c2 = (float) (1 - beta2);
    float eps = (float) epsilon;
    float r = (float) rate;
    int i = Math.toIntExact(span.from());
    if (lanes) {
      i = UpdateLanes.adam(parameters, gradients, secondMoment, firstMoment, span, b1, c1, b2, c2,
          eps, r);
    }
    for (int n = Math.toIntExact(span.to()); i < n; i++) {
      float g = span.gradient(gradients, i);
      float m = Subnormals.flush(b1 * firstMoment.at(i) + c1 * g);
      float v = Subnormals.flush(b2 * secondMoment.at(i) + c2 * g * g);
      firstMoment.put(i, m);
      secondMoment.put(i, v);
      span.move(parameters, gradients, i, r * m / ((float) Math.sqrt(v) + eps));
    }
  }

  @Override
  public String name() {
    return "adam";
  }
}
