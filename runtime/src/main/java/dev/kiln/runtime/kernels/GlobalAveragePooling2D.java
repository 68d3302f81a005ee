package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' {@code GlobalAveragePooling2D} over channels-last images: the mean of each channel over
 * all rows and columns.
 */
public final class GlobalAveragePooling2D {

  private GlobalAveragePooling2D() {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param out written, {@code (n, c)}
   */
  public static void forward(INDArray x, INDArray out) {
    x.mean(out, 1, 2);
  }

  /**
   * Spreads each entry of {@code dOut} evenly over its channel's {@code h * w} cells. The input
   * itself is not needed.
   *
   * @param dOut {@code (n, c)}
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when nothing needs it (the layer
   *     reads a model input): then there is nothing to do
   */
  public static void backward(INDArray dOut, INDArray dx) {
    if (dx == null) {
      return;
    }
    // Broadcasts dOut along dx's rows and columns (dx's axes 0 and 3 match dOut's 0 and 1).
    Nd4j.exec(new BroadcastCopyOp(dx, dOut, dx, 0, 3));
    dx.divi(dx.size(1) * dx.size(2));
  }
}
