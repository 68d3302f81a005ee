package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Average pooling over channels-last images, Keras' {@code AveragePooling2D}: the mean of each
 * window, per channel. As in TensorFlow, a same-mode window hanging over the edge averages the
 * cells inside the image only, not the padding.
 */
public final class AveragePooling2D {

  /** avgpool2d's divisor argument: 0 divides by the cells inside the image, 1 by the pool size. */
  private static final int CELLS_INSIDE = 0;

  private AveragePooling2D() {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param window the pool size, strides and padding; not dilated, as Keras' pools never are
   * @param out written, {@code (n, oh, ow, c)}
   */
  public static void forward(INDArray x, Window window, INDArray out) {
    Pools.requireUndilated(window);
    Nd4j.exec(
        DynamicCustomOp.builder("avgpool2d")
            .addInputs(NativeWindows.reached(x, window, out.size(1), out.size(2)))
            .addOutputs(out)
            .addIntegerArguments(NativeWindows.pooling(window, window.same(), CELLS_INSIDE))
            .build());
  }

  /**
   * Spreads each entry of {@code dOut} evenly over the cells its window averaged.
   *
   * @param x the forward input, {@code (n, h, w, c)}; only its shape matters
   * @param dOut {@code (n, oh, ow, c)}
   * @param window as in the forward pass
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when nothing needs it (the layer
   *     reads a model input): then there is nothing to do
   */
  public static void backward(INDArray x, INDArray dOut, Window window, INDArray dx) {
    if (dx == null) {
      return;
    }
    Pools.requireUndilated(window);
    INDArray reached = NativeWindows.reached(x, window, dOut.size(1), dOut.size(2));
    if (reached != x) {
      // Pixels no window reaches get no gradient; avgpool2d_bp writes only the reached part.
      dx.assign(0);
    }
    Nd4j.exec(
        DynamicCustomOp.builder("avgpool2d_bp")
            .addInputs(reached, dOut)
            .addOutputs(NativeWindows.reached(dx, window, dOut.size(1), dOut.size(2)))
            .addIntegerArguments(NativeWindows.pooling(window, window.same(), CELLS_INSIDE))
            .build());
  }
}
