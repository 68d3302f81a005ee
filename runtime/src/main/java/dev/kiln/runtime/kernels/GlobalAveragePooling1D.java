package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code GlobalAveragePooling1D} over channels-last sequences: the mean of each channel
 * over all steps. It runs as {@link GlobalAveragePooling2D} over images of one row.
 */
public final class GlobalAveragePooling1D {

  private GlobalAveragePooling1D() {}

  /**
   * @param x input, {@code (n, steps, c)}
   * @param out written, {@code (n, c)}
   */
  public static void forward(INDArray x, INDArray out) {
    GlobalAveragePooling2D.forward(SequenceImages.read(x), out);
  }

  /**
   * Spreads each entry of {@code dOut} evenly over its channel's steps.
   *
   * @param dOut {@code (n, c)}
   * @param dx written, {@code (n, steps, c)}, or {@code null} when nothing needs it
   */
  public static void backward(INDArray dOut, INDArray dx) {
    if (dx == null) {
      return;
    }
    GlobalAveragePooling2D.backward(dOut, SequenceImages.write(dx));
  }
}
