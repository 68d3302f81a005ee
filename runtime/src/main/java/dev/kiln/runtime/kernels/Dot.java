package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' Dot: per sample, the products of two tensors contracted over one axis of each (Keras'
 * {@code batch_dot}), the first input's other axis then the second's; a sample of two vectors
 * gives {@code (1)}. With {@code normalize}, each vector along the contracted axis is first
 * divided by {@code max(||v||, 1e-7)} (Keras 3's {@code normalize}), so two vectors give their
 * cosine similarity. Inputs are vectors or matrices per sample ({@code (n, k)} or {@code (n, p,
 * k)}); Java loops, no arrays allocated.
 */
public final class Dot {

  /** Keras' lower bound of a norm, {@code backend.epsilon()}. */
  public static final double NORM_EPSILON = 1e-7;

  private Dot() {}

  /**
   * @param a {@code (n, k)}, {@code (n, p, k)} or {@code (n, k, p)}
   * @param b likewise, with the same {@code k} on its contracted axis
   * @param axisA the contracted axis of {@code a}, counting the batch axis (1 or 2)
   * @param axisB the contracted axis of {@code b}
   * @param out written, {@code (n, p, q)}, or {@code (n, p)} / {@code (n, q)} / {@code (n, 1)}
   *     where an input is a vector
   */
  public static void forward(
      INDArray a, INDArray b, int axisA, int axisB, boolean normalize, INDArray out) {
    Side left = new Side(a, axisA);
    Side right = new Side(b, axisB);
    requireShapes(left, right, out);
    Elements result = Elements.of(out);
    for (long s = 0; s < left.samples; s++) {
      for (long i = 0; i < left.free; i++) {
        double scaleI = normalize ? 1 / left.norm(s, i) : 1;
        for (long j = 0; j < right.free; j++) {
          double scaleJ = normalize ? 1 / right.norm(s, j) : 1;
          double sum = 0;
          for (long k = 0; k < left.contracted; k++) {
            sum += left.get(s, i, k) * right.get(s, j, k);
          }
          result.set((s * left.free + i) * right.free + j, sum * scaleI * scaleJ);
        }
      }
    }
  }

  /**
   * @param dOut the output gradient, shaped like the forward output
   * @param dA written, shaped like {@code a}, or {@code null}; may not share memory with an input
   *     or {@code dOut}
   * @param dB likewise for {@code b}
   */
  public static void backward(INDArray a, INDArray b, int axisA, int axisB, boolean normalize,
      INDArray dOut, INDArray dA, INDArray dB) {
    Side left = new Side(a, axisA);
    Side right = new Side(b, axisB);
    requireShapes(left, right, dOut);
    Elements gradient = Merges.elements(dOut);
    if (dA != null) {
      Require.sameShape(dA, a, "Dot input gradient");
      inputGradient(left, right, gradient, right.free, 1, normalize, left.writer(dA));
    }
    if (dB != null) {
      Require.sameShape(dB, b, "Dot input gradient");
      inputGradient(right, left, gradient, 1, right.free, normalize, right.writer(dB));
    }
  }

  /**
   * The gradient of {@code side}: {@code g[i, k] = sum_j dOut[i, j] * other[j, k]} over the
   * normalised vectors when {@code normalize}, then taken back through the normalisation, {@code
   * (g - v * (v . g)) / ||x||} with {@code v = x / ||x||} (just {@code g / 1e-7} for a vector
   * shorter than that bound, where the division is by the constant).
   */
  private static void inputGradient(Side side, Side other, Elements dOut, long strideI,
      long strideJ, boolean normalize, Side written) {
    for (long s = 0; s < side.samples; s++) {
      long base = s * side.free * other.free;
      for (long i = 0; i < side.free; i++) {
        for (long k = 0; k < side.contracted; k++) {
          double sum = 0;
          for (long j = 0; j < other.free; j++) {
            double scale = normalize ? 1 / other.norm(s, j) : 1;
            sum += dOut.get(base + i * strideI + j * strideJ) * other.get(s, j, k) * scale;
          }
          written.set(s, i, k, sum);
        }
        if (normalize) {
          throughNormalization(side, written, s, i);
        }
      }
    }
  }

  private static void throughNormalization(Side side, Side written, long s, long i) {
    double norm = side.norm(s, i);
    if (norm <= NORM_EPSILON) {
      for (long k = 0; k < side.contracted; k++) {
        written.set(s, i, k, written.get(s, i, k) / NORM_EPSILON);
      }
      return;
    }
    double projection = 0;
    for (long k = 0; k < side.contracted; k++) {
      projection += side.get(s, i, k) / norm * written.get(s, i, k);
    }
    for (long k = 0; k < side.contracted; k++) {
      double v = side.get(s, i, k) / norm;
      written.set(s, i, k, (written.get(s, i, k) - v * projection) / norm);
    }
  }

  private static void requireShapes(Side left, Side right, INDArray out) {
    if (left.samples != right.samples || left.contracted != right.contracted) {
      throw new IllegalArgumentException("Dot of " + left.describe() + " and "
          + right.describe() + ": the batch and the contracted sizes must be equal");
    }
    if (out.length() != left.samples * left.free * right.free) {
      throw new IllegalArgumentException("Dot output has " + out.length() + " values, expected "
          + left.samples * left.free * right.free);
    }
  }

  /**
   * One input seen as {@code samples} matrices of {@code free} rows and {@code contracted}
   * columns, whatever the order of its axes.
   */
  private static final class Side {
    final INDArray array;
    final int axis;
    final Elements values;
    final long samples;
    final long free;
    final long contracted;
    final long strideFree;
    final long strideContracted;

    Side(INDArray array, int axis) {
      this(array, Merges.elements(array), axis);
    }

    private Side(INDArray array, Elements values, int axis) {
      this.array = array;
      this.axis = axis;
      this.values = values;
      if (array.rank() != 2 && array.rank() != 3 || axis < 1 || axis >= array.rank()) {
        throw new IllegalArgumentException("Dot takes (n, k) or (n, p, k) arrays and an axis"
            + " from 1, got " + describe() + " and axis " + axis);
      }
      samples = array.size(0);
      boolean vector = array.rank() == 2;
      contracted = array.size(axis);
      free = vector ? 1 : array.size(3 - axis);
      strideFree = vector ? 0 : axis == 2 ? contracted : 1;
      strideContracted = vector || axis == 2 ? 1 : free;
    }

    Side writer(INDArray gradient) {
      return new Side(gradient, Elements.of(gradient), axis);
    }

    double get(long s, long i, long k) {
      return values.get(s * free * contracted + i * strideFree + k * strideContracted);
    }

    void set(long s, long i, long k, double value) {
      values.set(s * free * contracted + i * strideFree + k * strideContracted, value);
    }

    /** {@code max(||row i||, 1e-7)}. */
    double norm(long s, long i) {
      double sum = 0;
      for (long k = 0; k < contracted; k++) {
        double v = get(s, i, k);
        sum += v * v;
      }
      return Math.max(Math.sqrt(sum), NORM_EPSILON);
    }

    String describe() {
      return Arrays.toString(array.shape());
    }
  }
}
