package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Gelu} for float32 arrays in Vector API lanes, computing in float32, a whole vector (16
 * values with AVX-512) per step and no branch per value. Only {@link Gelu} calls it, when {@link
 * VectorApi} allows.
 *
 * <p>With {@code z = |x|}, the normal tail {@code Q(z) = erfc(z / sqrt(2)) / 2} is {@code exp(-z^2
 * / 2) * t * g(u)}, {@code t = 1 / (1 + 0.4 z)}, {@code u = 0.4 z t}, {@code g} a polynomial of
 * degree 11 fitted by {@code runtime/src/test/python/gelu_lanes_fit.py} (relative error 4.4e-9
 * over every {@code z}), and {@code Phi(x)} is {@code 1 - Q} for {@code x >= 0}, {@code Q} below:
 * a left tail keeps its digits, which {@code (1 + erf(x / sqrt(2))) / 2} loses. {@code z^2} is
 * carried as a float pair ({@code fma} gives the rounding error of {@code z * z}), so that {@code
 * exp(-z^2 / 2)} keeps its float digits far out in the tail, and the exponential is the last
 * factor, so that no product before it falls below float32's normal range. The gradient {@code
 * Phi(x) + x phi(x)} takes the density {@code phi} from the same exponential. {@code
 * GeluLanesTest} measures both against the float64 kernel.
 */
final class GeluLanes {

  private static final FloatVector C = FloatVector.broadcast(SPECIES, 0.4f);
  private static final FloatVector G0 = FloatVector.broadcast(SPECIES, 0.5f);
  private static final FloatVector G1 = FloatVector.broadcast(SPECIES, -0.49735507f);
  private static final FloatVector G2 = FloatVector.broadcast(SPECIES, 0.06775965f);
  private static final FloatVector G3 = FloatVector.broadcast(SPECIES, 0.11814314f);
  private static final FloatVector G4 = FloatVector.broadcast(SPECIES, 0.010568506f);
  private static final FloatVector G5 = FloatVector.broadcast(SPECIES, -0.0014054953f);
  private static final FloatVector G6 = FloatVector.broadcast(SPECIES, -0.12507866f);
  private static final FloatVector G7 = FloatVector.broadcast(SPECIES, 0.23225863f);
  private static final FloatVector G8 = FloatVector.broadcast(SPECIES, -0.34482163f);
  private static final FloatVector G9 = FloatVector.broadcast(SPECIES, 0.33101398f);
  private static final FloatVector G10 = FloatVector.broadcast(SPECIES, -0.16325897f);
  private static final FloatVector G11 = FloatVector.broadcast(SPECIES, 0.03175286f);

  /** {@code 1 / sqrt(2 pi)}, the density's factor. */
  private static final FloatVector DENSITY =
      FloatVector.broadcast(SPECIES, (float) (1 / Math.sqrt(2 * Math.PI)));

  /**
   * Beyond this {@code |x|} the tail is 0 in float32 ({@code Q(20)} is about 3e-89); clamping
   * there keeps {@code z * z} finite for an infinite {@code x}.
   */
  private static final float FAR = 20f;

  private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

  private GeluLanes() {}

  /** Values per chunk copied into a Java array. */
  static final int CHUNK = 1024;

  /** Writes {@code y[i] = gelu(x[i])} for {@code from <= i < to}; {@code y} may be {@code x}. */
  static void forward(FloatLanes x, FloatLanes y, int from, int to) {
    float[] work = JavaWork.floats(7, 4 * CHUNK);
    int width = SPECIES.length();
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      x.read(start, work, 0, length);
      int j = 0;
      for (; j + width <= length; j += width) {
        tail(work, j);
        forward(work, j);
      }
      for (; j < length; j++) {
        work[j] = (float) Gelu.value(work[j]); // a last, partial vector: the float64 formula
      }
      y.write(work, 0, start, length);
    }
  }

  /** Turns {@code dy[i]} into {@code dy[i] * gelu'(x[i])} for {@code from <= i < to}. */
  static void backward(FloatLanes x, FloatLanes dy, int from, int to) {
    float[] work = JavaWork.floats(7, 4 * CHUNK);
    int width = SPECIES.length();
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      x.read(start, work, 0, length);
      dy.read(start, work, CHUNK, length);
      int j = 0;
      for (; j + width <= length; j += width) {
        tail(work, j);
        backward(work, j);
      }
      for (; j < length; j++) {
        work[CHUNK + j] = (float) (work[CHUNK + j] * Gelu.derivative(work[j]));
      }
      dy.write(work, CHUNK, start, length);
    }
  }

  /*
   * Every call on a vector in the methods below is the Vector API's own: a FloatVector that
   * crosses a call C2 leaves out of line is boxed on the heap (see LstmLanes). The vectors come
   * from a Java array, not the buffer, and a whole vector's work is two methods that meet in the
   * array: in one method, or loading from the buffer, it passed C2's inlining cutoff in a JVM that
   * had run other lanes kernels (the full test suite) and boxed its vectors, 2.8 MB a call over
   * 4K values. Work: x in [0, CHUNK), dy in [CHUNK, 2 CHUNK), the exponentials and the scaled
   * tails in the next two.
   */

  /**
   * {@code work[2 CHUNK + i] = exp(-x^2 / 2)} and {@code work[3 CHUNK + i] = Q(|x|) / exp(-x^2 /
   * 2)} for a whole vector of {@code x = work[i]}.
   */
  private static void tail(float[] work, int i) {
    FloatVector z = FloatVector.fromArray(SPECIES, work, i).abs().min(FAR);
    FloatVector square = z.mul(z);
    FloatVector squareError = z.fma(z, square.neg());
    FloatVector e = square.mul(-0.5f).lanewise(VectorOperators.EXP);
    e.fma(squareError.mul(-0.5f), e).intoArray(work, 2 * CHUNK + i); // to first order
    FloatVector cz = z.mul(C);
    FloatVector t = ONE.div(cz.add(ONE));
    FloatVector u = cz.mul(t);
    FloatVector g = G11.fma(u, G10).fma(u, G9).fma(u, G8).fma(u, G7).fma(u, G6).fma(u, G5)
        .fma(u, G4).fma(u, G3).fma(u, G2).fma(u, G1).fma(u, G0);
    t.mul(g).intoArray(work, 3 * CHUNK + i);
  }

  private static void forward(float[] work, int i) {
    FloatVector x = FloatVector.fromArray(SPECIES, work, i);
    FloatVector e = FloatVector.fromArray(SPECIES, work, 2 * CHUNK + i);
    FloatVector scaledTail = FloatVector.fromArray(SPECIES, work, 3 * CHUNK + i);
    FloatVector left = x.mul(scaledTail).mul(e); // x Q(|x|)
    VectorMask<Float> right = x.compare(VectorOperators.GE, 0f);
    left.blend(x.sub(left), right).intoArray(work, i); // x (1 - Q(x)) on the right
  }

  /** {@code work[CHUNK + i] *= gelu'(work[i])} for a whole vector. */
  private static void backward(float[] work, int i) {
    FloatVector x = FloatVector.fromArray(SPECIES, work, i);
    FloatVector dy = FloatVector.fromArray(SPECIES, work, CHUNK + i);
    FloatVector e = FloatVector.fromArray(SPECIES, work, 2 * CHUNK + i);
    FloatVector scaledTail = FloatVector.fromArray(SPECIES, work, 3 * CHUNK + i);
    FloatVector scaledSlope = x.mul(DENSITY); // x phi(x) / exp(-x^2 / 2)
    // Phi(x) + x phi(x): Q + x phi on the left, 1 - Q + x phi on the right
    FloatVector left = scaledSlope.add(scaledTail).mul(e);
    FloatVector slope = scaledSlope.sub(scaledTail).fma(e, ONE);
    VectorMask<Float> right = x.compare(VectorOperators.GE, 0f);
    dy.mul(left.blend(slope, right)).intoArray(work, CHUNK + i);
  }
}
