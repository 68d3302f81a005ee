package dev.kiln;

/**
 * Activation functions, with Keras 3's names and definitions ({@code keras.activations}). Where
 * Keras and PyTorch differ (GELU's form, the leaky slope, the hard sigmoid), Kiln follows Keras.
 */
public enum Activation {
  /** The identity, Keras' {@code linear}. */
  LINEAR,
  /** {@code max(x, 0)}. */
  RELU,
  /** {@code 1 / (1 + exp(-x))}. */
  SIGMOID,
  /** The hyperbolic tangent. */
  TANH,
  /** {@code exp(x) / sum(exp(x))} over the last axis. */
  SOFTMAX,
  /**
   * The Gaussian error linear unit, exact: {@code x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))},
   * Keras' {@code gelu} with its default {@code approximate=False}.
   */
  GELU,
  /**
   * GELU's tanh approximation, {@code 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))}:
   * Keras' {@code gelu(x, approximate=True)}, PyTorch's {@code gelu(x, approximate='tanh')}.
   */
  GELU_TANH,
  /** {@code x * sigmoid(x)}: Keras' {@code silu}, also called {@code swish}. */
  SILU,
  /**
   * {@code x} where positive, else {@code 0.2 * x}: Keras' {@code leaky_relu} activation with its
   * default {@code negative_slope=0.2}. For another slope use the layer {@code @LeakyReLU}, whose
   * default is the Keras layer's 0.3.
   */
  LEAKY_RELU,
  /** {@code x} where positive, else {@code exp(x) - 1}: Keras' {@code elu} ({@code alpha=1}). */
  ELU,
  /**
   * {@code scale * elu(x, alpha)} with Keras' (and PyTorch's) {@code alpha = 1.6732632423543772}
   * and {@code scale = 1.0507009873554805}.
   */
  SELU,
  /** {@code log(1 + exp(x))}. */
  SOFTPLUS,
  /** {@code x / (1 + |x|)}. */
  SOFTSIGN,
  /**
   * Keras 3's {@code hard_sigmoid}, {@code relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1)} (Keras 2
   * used a slope of 0.2 instead of 1/6); PyTorch's {@code hardsigmoid} is the same function.
   */
  HARD_SIGMOID,
  /** {@code exp(x)}. */
  EXPONENTIAL
}
