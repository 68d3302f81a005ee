package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras 3's {@code hard_sigmoid}: {@code relu6(x + 3) / 6}, i.e. {@code clip(x / 6 + 0.5, 0, 1)}
 * (Keras 2's slope was 0.2). The backward pass reads the pre-activation {@code z}.
 */
public final class HardSigmoid {

  private HardSigmoid() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, HardSigmoid::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, HardSigmoid::derivative);
  }

  static double value(double x) {
    return Math.min(Math.max(x / 6 + 0.5, 0), 1);
  }

  static double derivative(double x) {
    // relu6's gradient: 1 strictly inside (0, 6), 0 at and beyond the corners, as in Keras.
    return x > -3 && x < 3 ? 1.0 / 6 : 0;
  }
}
