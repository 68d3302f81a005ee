package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code x} where positive, else {@code negativeSlope * x}. As the activation {@code LEAKY_RELU}
 * the slope is Keras' {@code leaky_relu} default, 0.2; the layer {@code @LeakyReLU} passes its
 * own (Keras' layer defaults to 0.3). The backward pass reads the pre-activation {@code z}.
 */
public final class LeakyRelu {

  /** Keras' {@code keras.activations.leaky_relu} default. */
  public static final double ACTIVATION_SLOPE = 0.2;

  private LeakyRelu() {}

  /** Writes {@code leaky_relu(z)} with slope 0.2 into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    forward(z, ACTIVATION_SLOPE, y);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, slope 0.2, in place. */
  public static void backward(INDArray z, INDArray dy) {
    backward(z, ACTIVATION_SLOPE, dy);
  }

  /** Writes {@code leaky_relu(z)} with {@code negativeSlope} into {@code y}; may be {@code z}. */
  public static void forward(INDArray z, double negativeSlope, INDArray y) {
    Pointwise.forward(z, y, x -> x > 0 ? x : negativeSlope * x);
  }

  /**
   * Turns {@code dy} into the gradient with respect to {@code z}, in place: times 1 where {@code
   * z > 0}, else times {@code negativeSlope} (at 0 too, as TensorFlow and PyTorch do).
   */
  public static void backward(INDArray z, double negativeSlope, INDArray dy) {
    Pointwise.backward(z, dy, x -> x > 0 ? 1 : negativeSlope);
  }
}
