package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Masks of the steps of sequences, Keras' {@code _keras_mask}: {@code (n, steps)}, 1 for a step
 * that counts and 0 for padding, in the model's floating-point type. Java loops: a mask is small.
 */
public final class Masks {

  private Masks() {}

  /**
   * Keras' {@code Embedding(mask_zero=True)}: a step counts where its token is not 0.
   *
   * @param ids token ids, {@code (n, steps)}, of any numeric type
   * @param mask written, {@code (n, steps)}
   */
  public static void nonZero(INDArray ids, INDArray mask) {
    Require.sameShape(mask, ids, "token mask");
    Elements out = Elements.of(mask);
    long steps = ids.size(1);
    boolean flat = ids.ordering() == 'c' && ids.elementWiseStride() == 1;
    for (long i = 0, n = mask.length(); i < n; i++) {
      double id = flat ? ids.data().getDouble(ids.offset() + i) : ids.getDouble(i / steps, i % steps);
      out.set(i, id != 0 ? 1 : 0);
    }
  }

  /**
   * The AND of two masks, as Keras' merges combine their inputs' masks.
   *
   * @param a {@code (n, steps)}
   * @param b {@code (n, steps)}
   * @param out written, {@code (n, steps)}; may be {@code a} or {@code b}
   */
  public static void and(INDArray a, INDArray b, INDArray out) {
    Require.sameShape(b, a, "second mask");
    Require.sameShape(out, a, "combined mask");
    Elements first = Elements.of(a);
    Elements second = Elements.of(b);
    Elements combined = Elements.of(out);
    for (long i = 0, n = out.length(); i < n; i++) {
      combined.set(i, first.get(i) != 0 && second.get(i) != 0 ? 1 : 0);
    }
  }

  /**
   * Zeroes the masked steps of {@code x} in place: a gradient that must not reach them.
   *
   * @param mask {@code (n, steps)}
   * @param x {@code (n, steps, features)}
   */
  static void zeroMasked(INDArray mask, INDArray x) {
    Elements steps = Elements.of(mask);
    Elements values = Elements.of(x);
    long features = x.size(2);
    for (long step = 0, n = steps.length(); step < n; step++) {
      if (steps.get(step) == 0) {
        values.fill(step * features, features, 0);
      }
    }
  }
}
