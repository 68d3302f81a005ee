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
 * factor, so that no product before it falls below float32's normal range. Where the exponential
 * itself would be subnormal ({@code |x| > 13.2}), it is two normal factors {@code exp(-z^2 / 4)}:
 * the JDK's compiled vector exp was 3 subnormal steps off there, which a factor of {@code 0.4 |x|}
 * after it made 4.6 units of the gradient's last place (its Java fallback, before C2 compiles the
 * kernel, was not), and a prediction or gradient step must not depend on the JIT. The gradient {@code
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

  /**
   * Beyond this {@code |x|}, {@code exp(-x^2 / 2)} is below float32's normal range (from {@code
   * sqrt(2 * 87.34) = 13.22} on), where the JDK's vector exp keeps only a few digits.
   */
  private static final float SUBNORMAL = 13.2f;

  private GeluLanes() {}

  /** Values per chunk copied into a Java array. */
  static final int CHUNK = 1024;

  /** Writes {@code y[i] = gelu(x[i])} for {@code from <= i < to}; {@code y} may be {@code x}. */
  static void forward(FloatLanes x, FloatLanes y, int from, int to) {
    forward(x, null, 1, y, from, to);
  }

  /**
   * Writes {@code y[i] = gelu(x[i] + bias[i % units])} for {@code from <= i < to}, the bias added
   * in float32 as a pass of its own would; a null {@code bias} adds nothing.
   */
  static void forward(FloatLanes x, float[] bias, int units, FloatLanes y, int from, int to) {
    float[] work = JavaWork.floats(7, 5 * CHUNK);
    int width = SPECIES.length();
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      x.read(start, work, 0, length);
      if (bias != null) {
        addBias(work, length, bias, units, start);
      }
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

  /**
   * Turns {@code y[i]}, the product, into {@code gelu(y[i] + bias[i % units])} and writes GELU's
   * derivative there into {@code slope[i]}, for {@code from <= i < to}: a training step's forward
   * pass, whose backward pass then only multiplies ({@link #backwardFromSlope}). Values and slopes
   * are {@link #forward}'s and {@link #backward}'s to the bit.
   */
  static void forwardWithSlope(FloatLanes y, float[] bias, int units, FloatLanes slope, int from,
      int to) {
    float[] work = JavaWork.floats(7, 5 * CHUNK);
    int width = SPECIES.length();
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      y.read(start, work, 0, length);
      if (bias != null) {
        addBias(work, length, bias, units, start);
      }
      int j = 0;
      for (; j + width <= length; j += width) {
        tail(work, j);
        slope(work, j, CHUNK);
        forward(work, j);
      }
      for (; j < length; j++) {
        work[CHUNK + j] = (float) Gelu.derivative(work[j]);
        work[j] = (float) Gelu.value(work[j]);
      }
      y.write(work, 0, start, length);
      slope.write(work, CHUNK, start, length);
    }
  }

  /**
   * Turns {@code dy[i]} into {@code dy[i] * slope[i]} for {@code from <= i < to} and, with {@code
   * sums} not null, adds each result to {@code sums[i % units]} as {@link #backward} does.
   */
  static void backwardFromSlope(FloatLanes slope, int units, FloatLanes dy, double[] sums,
      int from, int to) {
    float[] work = JavaWork.floats(7, 5 * CHUNK);
    float[] block = sums == null ? null : JavaWork.floats(5, units);
    if (block != null) {
      java.util.Arrays.fill(block, 0, units, 0f);
    }
    int blockLength = 0;
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      slope.read(start, work, 0, length);
      dy.read(start, work, CHUNK, length);
      multiply(work, length);
      if (block != null) {
        blockLength = sumColumns(work, length, block, sums, units, start, blockLength);
      }
      dy.write(work, CHUNK, start, length);
    }
    if (block != null) {
      flush(block, sums, units);
    }
  }

  /** {@code work[CHUNK + i] *= work[i]} for {@code i < length}: a loop C2 vectorizes. */
  private static void multiply(float[] work, int length) {
    for (int i = 0; i < length; i++) {
      work[CHUNK + i] *= work[i];
    }
  }

  /** Turns {@code dy[i]} into {@code dy[i] * gelu'(x[i])} for {@code from <= i < to}. */
  static void backward(FloatLanes x, FloatLanes dy, int from, int to) {
    backward(x, null, 1, dy, null, from, to);
  }

  /**
   * Turns {@code dy[i]} into {@code dy[i] * gelu'(x[i] + bias[i % units])} for {@code from <= i <
   * to} and, with {@code sums} not null, adds each result to {@code sums[i % units]}: the bias
   * gradient of these values in the same pass, summed in float32 over about {@link #SUM_BLOCK}
   * rows at a time and in float64 over those. A null {@code bias} adds nothing.
   */
  static void backward(FloatLanes x, float[] bias, int units, FloatLanes dy, double[] sums,
      int from, int to) {
    float[] work = JavaWork.floats(7, 5 * CHUNK);
    float[] block = sums == null ? null : JavaWork.floats(5, units);
    if (block != null) {
      java.util.Arrays.fill(block, 0, units, 0f);
    }
    int blockLength = 0;
    int width = SPECIES.length();
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      x.read(start, work, 0, length);
      if (bias != null) {
        addBias(work, length, bias, units, start);
      }
      dy.read(start, work, CHUNK, length);
      int j = 0;
      for (; j + width <= length; j += width) {
        tail(work, j);
        backward(work, j);
      }
      for (; j < length; j++) {
        // the derivative rounds to float32 first, as the lanes' does
        work[CHUNK + j] *= (float) Gelu.derivative(work[j]);
      }
      if (block != null) {
        blockLength = sumColumns(work, length, block, sums, units, start, blockLength);
      }
      dy.write(work, CHUNK, start, length);
    }
    if (block != null) {
      flush(block, sums, units);
    }
  }

  /** Rows, about, whose column sums are added in float32 before they go into float64 sums. */
  private static final int SUM_BLOCK = 64;

  /**
   * Adds a chunk's gradients into the float32 column block, flushing it into {@code sums} once it
   * holds about {@link #SUM_BLOCK} rows; returns the values the block holds since its last flush.
   */
  private static int sumColumns(
      float[] work, int length, float[] block, double[] sums, int units, int start, int blockLength) {
    addColumns(work, length, block, units, start);
    int held = blockLength + length;
    if (held < SUM_BLOCK * units) {
      return held;
    }
    flush(block, sums, units);
    return 0;
  }

  private static void flush(float[] block, double[] sums, int units) {
    for (int j = 0; j < units; j++) {
      sums[j] += block[j];
      block[j] = 0;
    }
  }

  /** {@code work[j] += bias[(first + j) % units]} for {@code j < length}, a row's part at a time. */
  private static void addBias(float[] work, int length, float[] bias, int units, int first) {
    int column = first % units;
    for (int j = 0; j < length; column = 0) {
      int run = Math.min(units - column, length - j);
      add(bias, column, work, j, run);
      j += run;
    }
  }

  /** {@code sums[(first + j) % units] += work[CHUNK + j]} for {@code j < length}. */
  private static void addColumns(float[] work, int length, float[] sums, int units, int first) {
    int column = first % units;
    for (int j = 0; j < length; column = 0) {
      int run = Math.min(units - column, length - j);
      add(work, CHUNK + j, sums, column, run);
      j += run;
    }
  }

  /** {@code to[at + k] += from[start + k]} for {@code k < length}, whole vectors first. */
  private static void add(float[] from, int start, float[] to, int at, int length) {
    int width = SPECIES.length();
    int k = 0;
    for (; k + width <= length; k += width) {
      FloatVector.fromArray(SPECIES, to, at + k)
          .add(FloatVector.fromArray(SPECIES, from, start + k))
          .intoArray(to, at + k);
    }
    for (; k < length; k++) {
      to[at + k] += from[start + k];
    }
  }

  /*
   * Every call on a vector in the methods below is the Vector API's own: a FloatVector that
   * crosses a call C2 leaves out of line is boxed on the heap (see LstmLanes). The vectors come
   * from a Java array, not the buffer, and a whole vector's work is two methods that meet in the
   * array: in one method, or loading from the buffer, it passed C2's inlining cutoff in a JVM that
   * had run other lanes kernels (the full test suite) and boxed its vectors, 2.8 MB a call over
   * 4K values. Work: x in [0, CHUNK), dy in [CHUNK, 2 CHUNK), the exponentials and the scaled
   * tails in the next two, the exponentials' second factors (1, but far out) in the fifth.
   */

  /**
   * {@code work[2 CHUNK + i] * work[4 CHUNK + i] = exp(-x^2 / 2)} and {@code work[3 CHUNK + i] =
   * Q(|x|) / exp(-x^2 / 2)} for a whole vector of {@code x = work[i]}.
   */
  private static void tail(float[] work, int i) {
    FloatVector z = FloatVector.fromArray(SPECIES, work, i).abs().min(FAR);
    FloatVector square = z.mul(z);
    FloatVector squareError = z.fma(z, square.neg());
    FloatVector e = square.mul(-0.5f).lanewise(VectorOperators.EXP);
    e = e.fma(squareError.mul(-0.5f), e); // to first order
    VectorMask<Float> far = z.compare(VectorOperators.GT, SUBNORMAL);
    if (far.anyTrue()) {
      // exp(-z^2 / 2) is subnormal there and keeps few digits: two normal factors exp(-z^2 / 4)
      FloatVector half = square.mul(-0.25f).lanewise(VectorOperators.EXP);
      half = half.fma(squareError.mul(-0.25f), half);
      e.blend(half, far).intoArray(work, 2 * CHUNK + i);
      ONE.blend(half, far).intoArray(work, 4 * CHUNK + i);
    } else {
      e.intoArray(work, 2 * CHUNK + i);
      ONE.intoArray(work, 4 * CHUNK + i);
    }
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
    FloatVector second = FloatVector.fromArray(SPECIES, work, 4 * CHUNK + i);
    FloatVector scaledTail = FloatVector.fromArray(SPECIES, work, 3 * CHUNK + i);
    FloatVector left = x.mul(scaledTail).mul(e).mul(second); // x Q(|x|)
    VectorMask<Float> right = x.compare(VectorOperators.GE, 0f);
    left.blend(x.sub(left), right).intoArray(work, i); // x (1 - Q(x)) on the right
  }

  /**
   * {@code work[CHUNK + i] *= gelu'(work[i])} for a whole vector; the derivative takes the scaled
   * tail's place.
   */
  private static void backward(float[] work, int i) {
    slope(work, i, 3 * CHUNK);
    FloatVector.fromArray(SPECIES, work, CHUNK + i)
        .mul(FloatVector.fromArray(SPECIES, work, 3 * CHUNK + i))
        .intoArray(work, CHUNK + i);
  }

  /** {@code work[at + i] = gelu'(work[i])} for a whole vector, from {@link #tail}'s factors. */
  private static void slope(float[] work, int i, int at) {
    FloatVector x = FloatVector.fromArray(SPECIES, work, i);
    FloatVector first = FloatVector.fromArray(SPECIES, work, 2 * CHUNK + i);
    FloatVector second = FloatVector.fromArray(SPECIES, work, 4 * CHUNK + i);
    FloatVector e = first.mul(second);
    FloatVector scaledTail = FloatVector.fromArray(SPECIES, work, 3 * CHUNK + i);
    FloatVector scaledSlope = x.mul(DENSITY); // x phi(x) / exp(-x^2 / 2)
    // Phi(x) + x phi(x): Q + x phi on the left, 1 - Q + x phi on the right
    FloatVector left = scaledSlope.add(scaledTail).mul(first).mul(second);
    FloatVector slope = scaledSlope.sub(scaledTail).fma(e, ONE);
    VectorMask<Float> right = x.compare(VectorOperators.GE, 0f);
    left.blend(slope, right).intoArray(work, at + i);
  }
}
