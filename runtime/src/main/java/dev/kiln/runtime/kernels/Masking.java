package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code Masking}: a step of a sequence whose features all equal the mask value is
 * masked, and the output is the input times the mask, so masked steps are zeroed.
 */
public final class Masking {

  private Masking() {}

  /**
   * @param x {@code (n, steps, features)}
   * @param maskValue the value of every feature of a padded step
   * @param mask written, {@code (n, steps)}: 0 where every feature of the step is {@code
   *     maskValue}, else 1
   * @param out written, {@code (n, steps, features)}: {@code x} with masked steps zeroed; may be
   *     {@code x}
   */
  public static void forward(INDArray x, double maskValue, INDArray mask, INDArray out) {
    Require.sameShape(out, x, "Masking output");
    Require.shape(mask, new long[] {x.size(0), x.size(1)}, "Masking mask");
    INDArray input = Sequences.readable(x, Masking.class, "x");
    Elements values = Elements.of(input);
    Elements steps = Elements.of(mask);
    Elements written = Elements.of(out);
    long features = x.size(2);
    for (long step = 0, n = steps.length(); step < n; step++) {
      boolean counts = false;
      for (long i = step * features, end = i + features; i < end; i++) {
        counts |= values.get(i) != maskValue;
      }
      steps.set(step, counts ? 1 : 0);
      for (long i = step * features, end = i + features; i < end; i++) {
        written.set(i, counts ? values.get(i) : 0);
      }
    }
  }

  /**
   * The gradient of {@code x * mask}: the mask is constant almost everywhere.
   *
   * @param mask {@code (n, steps)}, of the forward pass
   * @param dOut {@code (n, steps, features)}
   * @param dx written, {@code dOut} with masked steps zeroed, or {@code null} when nothing needs it
   */
  public static void backward(INDArray mask, INDArray dOut, INDArray dx) {
    if (dx == null) {
      return;
    }
    Require.sameShape(dx, dOut, "Masking input gradient");
    if (dx != dOut) {
      dx.assign(dOut);
    }
    Masks.zeroMasked(mask, dx);
  }
}
