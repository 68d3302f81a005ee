package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code silu} (swish): {@code x * sigmoid(x)}. The backward pass reads the pre-activation
 * {@code z}.
 */
public final class Silu {


  private Silu() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, Silu::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, Silu::derivative);
  }

  static double value(double x) {
    return x * sigmoid(x);
  }

  static double derivative(double x) {
    double s = sigmoid(x);
    return s * (1 + x * (1 - s));
  }

  /** {@code 1 / (1 + exp(-x))}, without overflow for large negative {@code x}. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }
}
