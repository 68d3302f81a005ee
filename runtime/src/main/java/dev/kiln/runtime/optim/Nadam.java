package dev.kiln.runtime.optim;

import dev.kiln.runtime.Elements;

/**
 * Keras' {@code Nadam} (Dozat, "Incorporating Nesterov Momentum into Adam"), in Keras 3's
 * formulation with its momentum schedule {@code u_t = b1 (1 - 0.5 * 0.96^t)} (tf.keras 2 had
 * {@code 0.96^(0.004 t)}):
 *
 * <pre>{@code
 * m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 * m_hat = u_{t+1} m / (1 - prod_{k<=t+1} u_k) + (1 - u_t) g / (1 - prod_{k<=t} u_k)
 * p -= lr m_hat / (sqrt(v / (1 - b2^t)) + eps)
 * }</pre>
 *
 * Defaults beta1 0.9, beta2 0.999, epsilon 1e-7. Keras keeps the product of the {@code u_k} as a
 * variable; it depends only on the step, so it is recomputed from the step count here, which a
 * checkpoint restores.
 */
public final class Nadam extends MomentUpdater {

  private double rate;
  private double gradientWeight;
  private double momentWeight;
  private double secondMomentCorrection;
  private long productStep;
  private double product = 1;

  public Nadam(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  public Nadam(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate, beta1, beta2, epsilon);
  }

  private double momentumAt(long t) {
    return beta1 * (1 - 0.5 * Math.pow(0.96, t));
  }

  /** The product of {@code u_1 .. u_t}, carried forward from the last step asked for. */
  private double productUpTo(long t) {
    if (t < productStep) {
      productStep = 0;
      product = 1;
    }
    while (productStep < t) {
      productStep++;
      product *= momentumAt(productStep);
    }
    return product;
  }

  @Override
  protected void beginStep(long iteration, double learningRate) {
    long t = iteration + 1;
    double uT = momentumAt(t);
    double uNext = momentumAt(t + 1);
    double productT = productUpTo(t);
    double productNext = productT * uNext;
    rate = learningRate;
    momentWeight = uNext / (1 - productNext);
    gradientWeight = (1 - uT) / (1 - productT);
    secondMomentCorrection = 1 - Math.pow(beta2, t);
  }

  @Override
  protected void update(Elements parameters, Elements gradients, Span span) {
    Elements firstMoment = state(0);
    Elements secondMoment = state(1);
    double smallest = Subnormals.smallestNormal(firstMoment);
    for (long i = span.from(), n = span.to(); i < n; i++) {
      double g = span.gradient(gradients, i);
      double m = Subnormals.flush(nextFirstMoment(firstMoment.get(i), g), smallest);
      double v = Subnormals.flush(nextSecondMoment(secondMoment.get(i), g), smallest);
      firstMoment.set(i, m);
      secondMoment.set(i, v);
      double mHat = momentWeight * m + gradientWeight * g;
      double vHat = v / secondMomentCorrection;
      span.move(parameters, gradients, i, rate * mHat / (Math.sqrt(vHat) + epsilon));
    }
  }

  @Override
  public String name() {
    return "nadam";
  }
}
