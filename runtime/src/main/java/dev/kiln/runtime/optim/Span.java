package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * A run of consecutive parameters that one step treats alike: the same gradient scale (norm
 * clipping), value clamp and weight decay. An update rule loops over {@code [from, to)}, reads
 * each gradient through {@link #gradient} and writes through {@link #move}, so that clipping and
 * decay are fused into its single pass. One instance is reused for every run of every step.
 */
public final class Span {

  long from;
  long to;
  double gradientScale = 1;
  double clamp = Double.POSITIVE_INFINITY;
  double keep = 1;

  Span() {}

  /** The first index of the run. */
  public long from() {
    return from;
  }

  /** One past the last index of the run. */
  public long to() {
    return to;
  }

  /** Gradient {@code i}, clipped. */
  public double gradient(Elements gradients, long i) {
    double g = gradientScale * gradients.get(i);
    return g > clamp ? clamp : g < -clamp ? -clamp : g;
  }

  /** {@link #gradient} in float arithmetic, for float buffers. */
  public float gradient(Elements.Floats gradients, int i) {
    float g = (float) gradientScale * gradients.at(i);
    float limit = (float) clamp;
    return g > limit ? limit : g < -limit ? -limit : g;
  }

  /** {@link #move} in float arithmetic, for float buffers. */
  public void move(Elements.Floats parameters, Elements.Floats gradients, int i, float update) {
    float before = parameters.at(i);
    float after = (float) keep * before - update;
    parameters.put(i, after);
    gradients.put(i, before - after);
  }

  /**
   * Sets parameter {@code i} to {@code keep * p - update}, where {@code keep = 1 - lr *
   * weightDecay} (Keras' decoupled decay {@code p -= lr wd p} before the rule's update), and
   * leaves the applied change {@code before - after} in the gradient buffer.
   */
  public void move(Elements parameters, Elements gradients, long i, double update) {
    double before = parameters.get(i);
    double after = keep * before - update;
    parameters.set(i, after);
    gradients.set(i, before - after);
  }
}
