package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' Minimum: the elementwise minimum of two or more arrays of one shape. The gradient goes
 * to the input holding the minimum, to the first of equal ones (as Keras on TensorFlow, whose
 * {@code minimum(x, y)} gives a tie to {@code x}).
 */
public final class Minimum {

  private Minimum() {}

  /** @param out written with the minimum; may be {@code inputs[0]}, but no later input */
  public static void forward(INDArray out, INDArray... inputs) {
    Merges.selectForward(out, inputs, false, "Minimum");
  }

  /**
   * @param inputs the forward inputs
   * @param dInputs written: {@code dOut} where that input was the first minimum, else 0; {@code
   *     null} for an input nobody needs the gradient of; none may share memory with the inputs or
   *     {@code dOut}
   */
  public static void backward(INDArray dOut, INDArray[] inputs, INDArray[] dInputs) {
    Merges.selectBackward(dOut, inputs, dInputs, false, "Minimum");
  }
}
