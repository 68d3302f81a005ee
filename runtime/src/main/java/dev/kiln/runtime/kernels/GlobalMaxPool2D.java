package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastRSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' {@code GlobalMaxPooling2D} over channels-last images: the largest value of each channel
 * over all rows and columns.
 */
public final class GlobalMaxPool2D {

  private GlobalMaxPool2D() {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param out written, {@code (n, c)}
   */
  public static void forward(INDArray x, INDArray out) {
    Nd4j.exec(new Max(x, out, 1, 2));
  }

  /**
   * Shares each entry of {@code dOut} equally among the cells holding its channel's maximum, as
   * TensorFlow's gradient of {@code reduce_max} does. libnd4j's reduce_max_bp gives it all to the
   * first such cell instead, which differs whenever values tie, as ReLU outputs tie at 0.
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param dOut {@code (n, c)}
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when nothing needs it (the layer
   *     reads a model input): then there is nothing to do
   */
  public static void backward(INDArray x, INDArray dOut, INDArray dx) {
    if (dx == null) {
      return;
    }
    // dx's axes 0 and 3 are the (n, c) axes of the per-channel arrays broadcast over it.
    INDArray perChannel = Scratch.like(dOut);
    Nd4j.exec(new Max(x, perChannel, 1, 2));
    // max - x is exactly 0 at the maxima and positive elsewhere; turn that into 1 and 0.
    Nd4j.exec(new BroadcastRSubOp(x, perChannel, dx, 0, 3));
    Nd4j.exec(new Step(dx, dx, 0.0));
    Nd4j.exec(new ScalarReverseSubtraction(dx, dx, 1.0));
    dx.sum(perChannel, 1, 2);
    Nd4j.exec(new DivOp(dOut, perChannel, perChannel));
    Nd4j.exec(new BroadcastMulOp(dx, perChannel, dx, 0, 3));
  }
}
