package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' exact {@code gelu}: {@code x * Phi(x)}, with {@code Phi} the standard normal distribution
 * function. The backward pass reads the pre-activation {@code z}. Arrays of {@link #TWO_THREADS}
 * values or more (a transformer's feed-forward layer: 2M at 64 x 64 x 512) are done in two halves
 * at once ({@link SecondThread}).
 */
public final class Gelu {

  /** The smallest array done on two threads: below, handing half over costs more than it saves. */
  static final long TWO_THREADS = 1 << 16;

  private static final double SQRT_2 = Math.sqrt(2);

  private Gelu() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    if (!Elements.accepts(z) || !Elements.accepts(y)) {
      Pointwise.forward(z, y, Gelu::value); // works on a contiguous copy
      return;
    }
    Require.sameShape(y, z, "activation output");
    Elements in = Elements.of(z);
    Elements out = Elements.of(y);
    long n = in.length();
    if (n < TWO_THREADS) {
      forward(in, out, 0, n);
      return;
    }
    SecondThread.run(() -> forward(in, out, n / 2, n), () -> forward(in, out, 0, n / 2));
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    if (!Elements.accepts(z) || !Elements.accepts(dy)) {
      Pointwise.backward(z, dy, Gelu::derivative);
      return;
    }
    Require.sameShape(dy, z, "activation gradient");
    Elements in = Elements.of(z);
    Elements gradient = Elements.of(dy);
    long n = in.length();
    if (n < TWO_THREADS) {
      backward(in, gradient, 0, n);
      return;
    }
    SecondThread.run(() -> backward(in, gradient, n / 2, n), () -> backward(in, gradient, 0, n / 2));
  }

  private static void forward(Elements in, Elements out, long from, long to) {
    for (long i = from; i < to; i++) {
      out.set(i, value(in.get(i)));
    }
  }

  private static void backward(Elements in, Elements gradient, long from, long to) {
    for (long i = from; i < to; i++) {
      gradient.set(i, gradient.get(i) * derivative(in.get(i)));
    }
  }

  static double value(double x) {
    return x * cdf(x);
  }

  /**
   * {@code Phi(x) + x phi(x)}, with the normal density {@code phi(x) = -erfc'(-x / sqrt(2)) / (2
   * sqrt(2))} from the same table as {@code Phi}, rather than {@code exp(-x^2 / 2) / sqrt(2 pi)}.
   */
  static double derivative(double x) {
    double y = -x / SQRT_2;
    return 0.5 * Erfc.of(y) - x * Erfc.slope(y) / (2 * SQRT_2);
  }

  /**
   * The standard normal distribution function, through erfc so that the left tail keeps its digits.
   */
  private static double cdf(double x) {
    return 0.5 * Erfc.of(-x / SQRT_2);
  }
}
