package dev.kiln;

/** Optimizers, with Keras' update rules and defaults. */
public enum Optimizer {
  /** Stochastic gradient descent (momentum 0 by default; {@code momentum}, {@code nesterov}). */
  SGD,
  /** Adam: beta1 0.9, beta2 0.999, epsilon 1e-7. */
  ADAM,
  /** RMSprop: rho 0.9, epsilon 1e-7. */
  RMSPROP,
  /** AdaGrad: initial accumulator 0.1, epsilon 1e-7. */
  ADAGRAD,
  /** Adam with decoupled weight decay, Keras' default 0.004 ({@code weightDecay} sets it). */
  ADAMW,
  /** Adamax, Adam with the infinity norm: beta1 0.9, beta2 0.999, epsilon 1e-7. */
  ADAMAX,
  /** Nadam, Adam with Nesterov momentum in Keras' formulation: beta1 0.9, beta2 0.999. */
  NADAM,
  /** Lion, the sign of an interpolated momentum: beta1 0.9, beta2 0.99; use a small rate. */
  LION
}
