package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling along the steps of channels-last sequences, Keras' {@code MaxPooling1D}: the largest value of each window, per channel. It runs as {@link MaxPool2D} over images of one row.
 */
public final class MaxPooling1D {

  private MaxPooling1D() {}

  /**
   * @param x input, {@code (n, steps, c)}
   * @param window the pool size, stride and padding (valid or same, not dilated)
   * @param out written, {@code (n, outSteps, c)}
   */
  public static void forward(INDArray x, SequenceWindow window, INDArray out) {
    MaxPool2D.forward(SequenceImages.read(x), Pools.image(window), SequenceImages.write(out));
  }

  /**
   * @param x the forward input, {@code (n, steps, c)}
   * @param dOut {@code (n, outSteps, c)}
   * @param window as in the forward pass
   * @param dx written, {@code (n, steps, c)}, or {@code null} when nothing needs it
   */
  public static void backward(INDArray x, INDArray dOut, SequenceWindow window, INDArray dx) {
    if (dx == null) {
      return;
    }
    MaxPool2D.backward(SequenceImages.read(x), SequenceImages.read(dOut), Pools.image(window),
        SequenceImages.write(dx));
  }
}
