package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.factory.Nd4j;

/** {@code 1 / (1 + exp(-z))}. The backward pass reads the pre-activation {@code z}. */
public final class Sigmoid {

  private Sigmoid() {}

  /** Writes {@code sigmoid(z)} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(z, y));
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Nd4j.exec(new SigmoidDerivative(z, dy, dy));
  }
}
