package dev.kiln;

/** Optimizers, with Keras' update rules and defaults. */
public enum Optimizer {
  /** Stochastic gradient descent (momentum 0 by default). */
  SGD,
  /** Adam: beta1 0.9, beta2 0.999, epsilon 1e-7. */
  ADAM,
  /** RMSprop: rho 0.9, epsilon 1e-7. */
  RMSPROP,
  /** AdaGrad: initial accumulator 0.1, epsilon 1e-7. */
  ADAGRAD
}
