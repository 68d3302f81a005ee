package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/** Keras' Multiply: the elementwise product of two or more arrays of one shape. */
public final class Multiply {

  private Multiply() {}

  /**
   * @param out written with the product; may be {@code inputs[0]}, but no later input, whose
   *     value would be overwritten before it is read
   * @param inputs one or more arrays shaped like {@code out}
   */
  public static void forward(INDArray out, INDArray... inputs) {
    for (INDArray input : inputs) {
      // libnd4j's multiply broadcasts, so a mismatch would not fail by itself.
      Require.sameShape(input, out, "Multiply input");
    }
    if (inputs.length == 1) {
      out.assign(inputs[0]);
      return;
    }
    Nd4j.exec(new MulOp(inputs[0], inputs[1], out));
    for (int i = 2; i < inputs.length; i++) {
      Nd4j.exec(new MulOp(out, inputs[i], out));
    }
  }

  /**
   * The gradient of input {@code i} is {@code dOut} times the product of the other inputs,
   * multiplied out rather than divided from the forward product, so that a zero input does no
   * harm.
   *
   * @param dOut the output gradient
   * @param inputs the forward inputs
   * @param dInputs written, one per input, or {@code null} for an input nobody needs the gradient
   *     of; none may share memory with {@code dOut} or the inputs
   */
  public static void backward(INDArray dOut, INDArray[] inputs, INDArray[] dInputs) {
    if (dInputs.length != inputs.length) {
      throw new IllegalArgumentException(
          "Multiply has " + inputs.length + " inputs but " + dInputs.length + " input gradients");
    }
    for (int i = 0; i < inputs.length; i++) {
      INDArray dInput = dInputs[i];
      if (dInput == null) {
        continue;
      }
      Require.sameShape(dInput, dOut, "Multiply input gradient");
      if (inputs.length == 1) {
        dInput.assign(dOut);
        continue;
      }
      INDArray product = dOut;
      for (int j = 0; j < inputs.length; j++) {
        if (j != i) {
          Nd4j.exec(new MulOp(product, inputs[j], dInput));
          product = dInput;
        }
      }
    }
  }
}
