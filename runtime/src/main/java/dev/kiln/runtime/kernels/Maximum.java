package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' Maximum: the elementwise maximum of two or more arrays of one shape. The gradient goes
 * to the input holding the maximum, to the first of equal ones (as Keras on TensorFlow, whose
 * {@code maximum(x, y)} gives a tie to {@code x}).
 */
public final class Maximum {

  private Maximum() {}

  /** @param out written with the maximum; may be {@code inputs[0]}, but no later input */
  public static void forward(INDArray out, INDArray... inputs) {
    Merges.selectForward(out, inputs, true, "Maximum");
  }

  /**
   * @param inputs the forward inputs
   * @param dInputs written: {@code dOut} where that input was the first maximum, else 0; {@code
   *     null} for an input nobody needs the gradient of; none may share memory with the inputs or
   *     {@code dOut}
   */
  public static void backward(INDArray dOut, INDArray[] inputs, INDArray[] dInputs) {
    Merges.selectBackward(dOut, inputs, dInputs, true, "Maximum");
  }
}
