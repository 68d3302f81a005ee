package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' exact {@code gelu}: {@code x * Phi(x)}, with {@code Phi} the standard normal distribution
 * function. The backward pass reads the pre-activation {@code z}. Arrays of {@link #TWO_THREADS}
 * values or more (a transformer's feed-forward layer: 2M at 64 x 64 x 512) are done in two halves
 * at once ({@link SecondThread}).
 *
 * <p>Float64 arrays, and float32 ones without the Vector API, take {@code erfc} from {@link Erfc}'s
 * table in double precision, 13 ns a value; float32 arrays with it compute in float32 lanes
 * ({@link GeluLanes}), within a few units in the last place of the float64 result.
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
    if (VectorApi.appliesTo(z.dataType()) && VectorApi.appliesTo(y.dataType())) {
      FloatLanes x = new FloatLanes(z);
      FloatLanes out = new FloatLanes(y);
      int n = Math.toIntExact(z.length());
      inHalves(n, (from, to) -> GeluLanes.forward(x, out, from, to));
      Reference.reachabilityFence(z); // lanes view the native memory, they do not hold the array
      Reference.reachabilityFence(y);
      return;
    }
    forwardInLoops(z, y);
  }

  /** {@link #forward} in double precision, whatever the Vector API: contiguous arrays only. */
  static void forwardInLoops(INDArray z, INDArray y) {
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
    if (VectorApi.appliesTo(z.dataType()) && VectorApi.appliesTo(dy.dataType())) {
      FloatLanes x = new FloatLanes(z);
      FloatLanes gradient = new FloatLanes(dy);
      int n = Math.toIntExact(z.length());
      inHalves(n, (from, to) -> GeluLanes.backward(x, gradient, from, to));
      Reference.reachabilityFence(z);
      Reference.reachabilityFence(dy);
      return;
    }
    backwardInLoops(z, dy);
  }

  /** {@link #backward} in double precision, whatever the Vector API: contiguous arrays only. */
  static void backwardInLoops(INDArray z, INDArray dy) {
    Elements in = Elements.of(z);
    Elements gradient = Elements.of(dy);
    long n = in.length();
    if (n < TWO_THREADS) {
      backward(in, gradient, 0, n);
      return;
    }
    SecondThread.run(() -> backward(in, gradient, n / 2, n), () -> backward(in, gradient, 0, n / 2));
  }

  /** A pass over the values {@code [from, to)}. */
  interface Part {
    void run(int from, int to);
  }

  /** {@code part} over {@code [0, n)}: in two halves at once from {@link #TWO_THREADS} on. */
  static void inHalves(int n, Part part) {
    if (n < TWO_THREADS) {
      part.run(0, n);
      return;
    }
    // Halves on a whole vector's boundary (16 lanes at most), so that only the end has a part.
    int half = n / 2 / 16 * 16;
    SecondThread.run(() -> part.run(half, n), () -> part.run(0, half));
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
