package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Keras' Subtract: {@code a - b}, for exactly two arrays of one shape. */
public final class Subtract {

  private Subtract() {}

  /** @param out written with {@code a - b}; may be {@code a} or {@code b} */
  public static void forward(INDArray out, INDArray a, INDArray b) {
    Require.sameShape(a, out, "Subtract input");
    Require.sameShape(b, out, "Subtract input");
    Elements first = Merges.elements(a);
    Elements second = Merges.elements(b);
    Elements difference = Elements.of(out);
    for (long i = 0, n = difference.length(); i < n; i++) {
      difference.set(i, first.get(i) - second.get(i));
    }
  }

  /**
   * @param dOut the output gradient
   * @param dA written with {@code dOut}, or {@code null}
   * @param dB written with {@code -dOut}, or {@code null}; may not be {@code dA}
   */
  public static void backward(INDArray dOut, INDArray dA, INDArray dB) {
    Elements gradient = Merges.elements(dOut);
    Elements first = dA == null ? null : Merges.output(dA, dOut, "Subtract input gradient");
    Elements second = dB == null ? null : Merges.output(dB, dOut, "Subtract input gradient");
    for (long i = 0, n = gradient.length(); i < n; i++) {
      double d = gradient.get(i);
      if (first != null) {
        first.set(i, d);
      }
      if (second != null) {
        second.set(i, -d);
      }
    }
  }
}
