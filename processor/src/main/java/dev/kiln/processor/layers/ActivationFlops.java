package dev.kiln.processor.layers;

import dev.kiln.Activation;

/**
 * What an activation costs, applied to {@code elements} values: every activation but the linear
 * one and softmax counts 1 FLOP per element forward (an exponential or an error function counted
 * as one) and 1 backward (its derivative times the incoming gradient, counted as one); softmax
 * counts 3 forward (exponential, sum, division) and 3 backward (the gradient's dot product with
 * the output, a subtraction, a multiplication).
 */
public final class ActivationFlops {

  private ActivationFlops() {}

  public static long forward(Activation activation, long elements) {
    return Math.multiplyExact(perElement(activation), elements);
  }

  public static long backward(Activation activation, long elements) {
    return Math.multiplyExact(perElement(activation), elements);
  }

  private static long perElement(Activation activation) {
    return switch (activation) {
      case LINEAR -> 0;
      case SOFTMAX -> 3;
      default -> 1;
    };
  }
}
