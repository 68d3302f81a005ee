package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code UpSampling1D} over channels-last sequences: each step repeated {@code size}
 * times. It runs as {@link UpSampling2D} over images of one row.
 */
public final class UpSampling1D {

  private UpSampling1D() {}

  /**
   * @param x input, {@code (n, steps, c)}
   * @param size step repeats
   * @param out written, {@code (n, steps * size, c)}
   */
  public static void forward(INDArray x, int size, INDArray out) {
    UpSampling2D.forward(SequenceImages.read(x), 1, size, SequenceImages.write(out));
  }

  /**
   * Sums each run of {@code size} steps of {@code dOut} into the step it repeats.
   *
   * @param dOut {@code (n, steps * size, c)}
   * @param size step repeats
   * @param dx written, {@code (n, steps, c)}, or {@code null} when nothing needs it
   */
  public static void backward(INDArray dOut, int size, INDArray dx) {
    if (dx == null) {
      return;
    }
    UpSampling2D.backward(SequenceImages.read(dOut), 1, size, SequenceImages.write(dx));
  }
}
