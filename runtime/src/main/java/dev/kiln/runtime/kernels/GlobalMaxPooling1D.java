package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code GlobalMaxPooling1D} over channels-last sequences: the largest value of each
 * channel over all steps. It runs as {@link GlobalMaxPool2D} over images of one row, so a
 * gradient is shared equally among tied maxima, as TensorFlow shares it.
 */
public final class GlobalMaxPooling1D {

  private GlobalMaxPooling1D() {}

  /**
   * @param x input, {@code (n, steps, c)}
   * @param out written, {@code (n, c)}
   */
  public static void forward(INDArray x, INDArray out) {
    GlobalMaxPool2D.forward(SequenceImages.read(x), out);
  }

  /**
   * @param x the forward input, {@code (n, steps, c)}
   * @param dOut {@code (n, c)}
   * @param dx written, {@code (n, steps, c)}, or {@code null} when nothing needs it
   */
  public static void backward(INDArray x, INDArray dOut, INDArray dx) {
    if (dx == null) {
      return;
    }
    GlobalMaxPool2D.backward(SequenceImages.read(x), dOut, SequenceImages.write(dx));
  }
}
