package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code exp(z) / sum(exp(z))} over the last axis. Before a cross-entropy loss the backward pass
 * is fused into the loss; elsewhere it reads the pre-activation {@code z}.
 */
public final class Softmax {

  private Softmax() {}

  /** Writes {@code softmax(z)} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    if (JavaLoops.suit(z) && JavaLoops.suit(y)) {
      JavaLoops.softmax(z, y);
      return;
    }
    Nd4j.exec(new SoftMax(z, y, z.rank() - 1));
  }

  /**
   * Turns {@code dy} into the gradient with respect to {@code z}, in place. Consumes {@code z}:
   * libnd4j's {@code softmax_bp} may write over its input but not over the incoming gradient,
   * so the result goes through {@code z}'s buffer.
   */
  public static void backward(INDArray z, INDArray dy) {
    Nd4j.exec(new SoftmaxBp(z, dy, z, z.rank() - 1));
    dy.assign(z);
  }
}
