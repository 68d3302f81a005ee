package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code activity_regularizer} {@code L1L2(l1, l2)} on a layer's output {@code a} of a
 * batch of {@code n} samples: the penalty {@code (l1 sum|a| + l2 sum a^2) / n} (Keras divides
 * the regularizer's sum by the batch size, so that its strength does not depend on it), and its
 * gradient {@code (l1 sign(a) + 2 l2 a) / n}, added to the gradient of the output. Java loops over
 * the buffers, allocation-free.
 */
public final class ActivityRegularizer {

  private ActivityRegularizer() {}

  /**
   * @param a the layer's output, (n, ...)
   * @return {@code (l1 sum|a| + l2 sum a^2) / n}
   */
  public static double penalty(INDArray a, double l1, double l2) {
    Elements values = Elements.of(a);
    double absolute = 0;
    double squares = 0;
    for (long i = 0, length = a.length(); i < length; i++) {
      double value = values.get(i);
      absolute += Math.abs(value);
      squares += value * value;
    }
    return (l1 * absolute + l2 * squares) / a.size(0);
  }

  /**
   * Adds the penalty's gradient to {@code da}.
   *
   * @param a the layer's output, (n, ...)
   * @param da the gradient of the loss with respect to {@code a}, same shape: {@code += (l1
   *     sign(a) + 2 l2 a) / n}
   */
  public static void addGradient(INDArray a, double l1, double l2, INDArray da) {
    Elements values = Elements.of(a);
    Elements gradient = Elements.of(da);
    double n = a.size(0);
    for (long i = 0, length = a.length(); i < length; i++) {
      gradient.set(i, gradient.get(i) + slope(values.get(i), l1, l2, n));
    }
  }

  /**
   * Adds the penalty's gradient, carried back through the softmax over the last axis that made
   * {@code p}, to the gradient of the softmax's input: where an output's loss is fused with its
   * softmax, the gradient there is all the backward pass has. Per row: {@code dz += p (g - sum(g
   * p))} with {@code g} the penalty's gradient with respect to {@code p}.
   *
   * @param p the softmax's output, (n, ..., classes)
   * @param dz the gradient with respect to the softmax's input, same shape
   */
  public static void addGradientThroughSoftmax(INDArray p, double l1, double l2, INDArray dz) {
    Elements values = Elements.of(p);
    Elements gradient = Elements.of(dz);
    double n = p.size(0);
    long classes = p.size(p.rank() - 1);
    for (long row = 0, length = p.length(); row < length; row += classes) {
      double dot = 0;
      for (long i = row; i < row + classes; i++) {
        dot += values.get(i) * slope(values.get(i), l1, l2, n);
      }
      for (long i = row; i < row + classes; i++) {
        double value = values.get(i);
        gradient.set(i, gradient.get(i) + value * (slope(value, l1, l2, n) - dot));
      }
    }
  }

  /**
   * As {@link #addGradientThroughSoftmax}, through the sigmoid that made {@code p}: {@code dz +=
   * g p (1 - p)}.
   */
  public static void addGradientThroughSigmoid(INDArray p, double l1, double l2, INDArray dz) {
    Elements values = Elements.of(p);
    Elements gradient = Elements.of(dz);
    double n = p.size(0);
    for (long i = 0, length = p.length(); i < length; i++) {
      double value = values.get(i);
      gradient.set(i, gradient.get(i) + slope(value, l1, l2, n) * value * (1 - value));
    }
  }

  /** The penalty's derivative with respect to one output value of a batch of {@code n}. */
  private static double slope(double value, double l1, double l2, double n) {
    return (l1 * Math.signum(value) + 2 * l2 * value) / n;
  }
}
