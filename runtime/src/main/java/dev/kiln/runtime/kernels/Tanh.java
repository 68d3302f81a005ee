package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.factory.Nd4j;

/** The hyperbolic tangent. The backward pass reads the pre-activation {@code z}. */
public final class Tanh {

  private Tanh() {}

  /** Writes {@code tanh(z)} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh(z, y));
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Nd4j.exec(new TanhDerivative(z, dy, dy));
  }
}
