package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
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

  /**
   * Keras' mean over the unmasked steps only: {@code sum(mask x) / sum(mask)} per sample and
   * channel. A sample with every step masked gets 0, where Keras divides 0 by 0.
   *
   * @param x input, {@code (n, steps, c)}
   * @param mask {@code (n, steps)}, 1 for a step that counts
   * @param out written, {@code (n, c)}
   */
  public static void forward(INDArray x, INDArray mask, INDArray out) {
    Require.shape(mask, new long[] {x.size(0), x.size(1)}, "GlobalAveragePooling1D mask");
    Elements values = Elements.of(Sequences.readable(x, GlobalAveragePooling1D.class, "x"));
    Elements steps = Elements.of(mask);
    INDArray pooled = Sequences.writable(out, GlobalAveragePooling1D.class, "out");
    Elements means = Elements.of(pooled);
    long n = x.size(0);
    long length = x.size(1);
    long channels = x.size(2);
    for (long sample = 0; sample < n; sample++) {
      double counted = counted(steps, sample, length);
      for (long c = 0; c < channels; c++) {
        double sum = 0;
        for (long t = 0; t < length; t++) {
          double weight = steps.get(sample * length + t);
          sum += weight == 0 ? 0 : weight * values.get((sample * length + t) * channels + c);
        }
        means.set(sample * channels + c, counted == 0 ? 0 : sum / counted);
      }
    }
    if (pooled != out) {
      out.assign(pooled);
    }
  }

  /**
   * Spreads each entry of {@code dOut} evenly over its channel's unmasked steps; masked steps get
   * none.
   *
   * @param mask {@code (n, steps)}, of the forward pass
   * @param dOut {@code (n, c)}
   * @param dx written, {@code (n, steps, c)}, or {@code null} when nothing needs it
   */
  public static void backward(INDArray mask, INDArray dOut, INDArray dx) {
    if (dx == null) {
      return;
    }
    Elements steps = Elements.of(mask);
    Elements gradient = Elements.of(Sequences.readable(dOut, GlobalAveragePooling1D.class, "dOut"));
    INDArray spread = Sequences.writable(dx, GlobalAveragePooling1D.class, "dx");
    Elements written = Elements.of(spread);
    long n = dx.size(0);
    long length = dx.size(1);
    long channels = dx.size(2);
    for (long sample = 0; sample < n; sample++) {
      double counted = counted(steps, sample, length);
      for (long t = 0; t < length; t++) {
        double share = counted == 0 ? 0 : steps.get(sample * length + t) / counted;
        for (long c = 0; c < channels; c++) {
          written.set((sample * length + t) * channels + c, share * gradient.get(sample * channels + c));
        }
      }
    }
    if (spread != dx) {
      dx.assign(spread);
    }
  }

  private static double counted(Elements steps, long sample, long length) {
    double counted = 0;
    for (long t = 0; t < length; t++) {
      counted += steps.get(sample * length + t);
    }
    return counted;
  }
}
