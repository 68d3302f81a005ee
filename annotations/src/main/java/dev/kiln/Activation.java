package dev.kiln;

/** Activation functions, with Keras' names. */
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
  SOFTMAX
}
