package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import java.nio.FloatBuffer;
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
 * exp(-z^2 / 2)} keeps its float digits far out in the tail. The exponential is this class's own
 * ({@code 2^n} times a polynomial of degree 6 on {@code [-ln 2 / 2, ln 2 / 2]}, fitted by the same
 * script), scaled by {@code 2^100} so that it stays a normal float out to {@code |x| = }{@link
 * #FAR}; the scale comes off in the last product, so that a left-tail value that is subnormal
 * rounds once. Fma, products and a quotient round the same interpreted and compiled, so a value
 * does not depend on the JIT (the JDK's vector exp did: its compiled form was 3 subnormal steps
 * off far out, its Java fallback not), and no lane needs a branch of its own. The gradient {@code
 * Phi(x) + x phi(x)} takes the density {@code phi} from the same exponential. {@code
 * GeluLanesTest} measures both against the float64 kernel.
 *
 * <p>A chunk of values goes through the Java work array in passes: the biased input in, the
 * factors {@code exp} and {@code t g(u)} of the whole chunk, then the value (and slope) of the
 * whole chunk, then out. A pass per chunk, not per vector, keeps the factors' stores far from
 * their loads; per vector, each factor's load waited on the store just before it.
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

  /** {@code exp(r)} on {@code [-ln 2 / 2, ln 2 / 2]}: E0 and E1 are 1. */
  private static final FloatVector E2 = FloatVector.broadcast(SPECIES, 0.4999999f);
  private static final FloatVector E3 = FloatVector.broadcast(SPECIES, 0.1666642f);
  private static final FloatVector E4 = FloatVector.broadcast(SPECIES, 0.041668203f);
  private static final FloatVector E5 = FloatVector.broadcast(SPECIES, 0.008374823f);
  private static final FloatVector E6 = FloatVector.broadcast(SPECIES, 0.001383817f);

  private static final FloatVector LOG2_E =
      FloatVector.broadcast(SPECIES, (float) (1 / Math.log(2)));

  /** {@code -ln 2} as a float pair; the first part's 16 digits make {@code n} times it exact. */
  private static final FloatVector MINUS_LN2_HIGH =
      FloatVector.broadcast(SPECIES, -0.693145751953125f);
  private static final FloatVector MINUS_LN2_LOW =
      FloatVector.broadcast(SPECIES, -1.428606765330187e-6f);

  /** The exponential's scale: {@code 2^SCALE}. */
  private static final int SCALE = 100;

  /**
   * {@code 1.5 * 2^23 + SCALE}: added to {@code -z^2 / 2 / ln 2}, it rounds that to an integer
   * {@code n} and leaves {@code n + SCALE} in the low bits of the sum, the exponent to add.
   */
  private static final FloatVector ROUNDER = FloatVector.broadcast(SPECIES, 12582912f + SCALE);

  private static final FloatVector UNSCALE = FloatVector.broadcast(SPECIES, 0x1p-100f);

  /** {@code 1 / sqrt(2 pi)}, the density's factor. */
  private static final FloatVector DENSITY =
      FloatVector.broadcast(SPECIES, (float) (1 / Math.sqrt(2 * Math.PI)));

  /**
   * Where {@code |x|} is clamped: the tail is 0 in float32 beyond ({@code 17.5 Q(17.5)} is about
   * 1e-67), {@code z * z} stays finite for an infinite {@code x}, and the scaled exponential
   * {@code 2^100 exp(-z^2 / 2)} a normal float.
   */
  private static final float FAR = 17.5f;

  private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

  private GeluLanes() {}

  /** Values per chunk copied into a Java array. */
  static final int CHUNK = 1024;

  /*
   * The work array's regions, a chunk each: x (the biased input), then y or dy, the scaled
   * exponentials, the scaled tails t g(u), the slopes.
   */
  private static final int X = 0;
  private static final int Y = CHUNK;
  private static final int EXP = 2 * CHUNK;
  private static final int TAIL = 3 * CHUNK;
  private static final int SLOPE = 4 * CHUNK;

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
    FloatBuffer in = floats(x);
    FloatBuffer out = floats(y);
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      int whole = length - length % width;
      readBiased(in, first(x, start), bias, units, start, work, length);
      for (int j = 0; j < whole; j += width) {
        factors(work, j);
      }
      for (int j = 0; j < whole; j += width) {
        value(work, j);
      }
      for (int j = whole; j < length; j++) {
        // a last, partial vector: the float64 formula
        work[Y + j] = (float) Gelu.value(work[X + j]);
      }
      out.put(first(y, start), work, Y, length);
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
    FloatBuffer values = floats(y);
    FloatBuffer slopes = floats(slope);
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      int whole = length - length % width;
      readBiased(values, first(y, start), bias, units, start, work, length);
      for (int j = 0; j < whole; j += width) {
        factors(work, j);
      }
      for (int j = 0; j < whole; j += width) {
        valueAndSlope(work, j);
      }
      for (int j = whole; j < length; j++) {
        work[SLOPE + j] = (float) Gelu.derivative(work[X + j]);
        work[Y + j] = (float) Gelu.value(work[X + j]);
      }
      values.put(first(y, start), work, Y, length);
      slopes.put(first(slope, start), work, SLOPE, length);
    }
  }

  /**
   * The floats of {@code lanes}' buffer, for copies in and out of the work array: a bulk copy
   * is a memory copy, 0.05 ns a value against 0.09 for a loop of vectors (0.15 against 0.21 from
   * memory).
   */
  private static FloatBuffer floats(FloatLanes lanes) {
    return lanes.buffer.asFloatBuffer();
  }

  /** The index in {@link #floats}{@code (lanes)} of element {@code i}. */
  private static int first(FloatLanes lanes, int i) {
    return lanes.base / Float.BYTES + i;
  }

  /**
   * {@code work[X + j] = x[at + j] + bias[(column0 + j) % units]} for {@code j < length}, {@code
   * column0} the column of element {@code start}; a null {@code bias} adds nothing.
   */
  private static void readBiased(FloatBuffer x, int at, float[] bias, int units, int start,
      float[] work, int length) {
    x.get(at, work, X, length);
    if (bias == null) {
      return;
    }
    int column = start % units;
    for (int j = 0; j < length; column = 0) {
      int run = Math.min(units - column, length - j);
      add(bias, column, work, X + j, run);
      j += run;
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
    FloatBuffer in = floats(x);
    FloatBuffer gradient = floats(dy);
    for (int start = from; start < to; start += CHUNK) {
      int length = Math.min(CHUNK, to - start);
      int whole = length - length % width;
      readBiased(in, first(x, start), bias, units, start, work, length);
      gradient.get(first(dy, start), work, Y, length);
      for (int j = 0; j < whole; j += width) {
        factors(work, j);
      }
      for (int j = 0; j < whole; j += width) {
        backward(work, j);
      }
      for (int j = whole; j < length; j++) {
        // the derivative rounds to float32 first, as the lanes' does
        work[Y + j] *= (float) Gelu.derivative(work[X + j]);
      }
      if (block != null) {
        blockLength = sumColumns(work, length, block, sums, units, start, blockLength);
      }
      gradient.put(first(dy, start), work, Y, length);
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
   * from a Java array, not the buffer, and a vector's work is split in methods that meet in the
   * array: in one method, or loading from the buffer, it passed C2's inlining cutoff in a JVM that
   * had run other lanes kernels (the full test suite) and boxed its vectors, 2.8 MB a call over
   * 4K values. |x| is clamped by a comparison and a blend: the vector min, which keeps Java's
   * rules for NaN and -0, compiles to several instructions.
   */

  /**
   * {@code work[EXP + i] = 2^100 exp(-z^2 / 2)} and {@code work[TAIL + i] = Q(z) / exp(-z^2 / 2)}
   * for a whole vector of {@code z = min(|x|, FAR)}, {@code x = work[X + i]}.
   */
  private static void factors(float[] work, int i) {
    FloatVector z = FloatVector.fromArray(SPECIES, work, X + i).abs();
    z = z.blend(FAR, z.compare(VectorOperators.GT, FAR)); // a NaN stays NaN
    FloatVector half = z.mul(-0.5f); // exact
    FloatVector a = half.mul(z); // -z^2 / 2, rounded
    FloatVector aError = half.fma(z, a.neg()); // exact
    // exp(a + aError) = 2^n exp(r), n = round(a / ln 2), r = a - n ln 2 + aError
    FloatVector rounded = a.fma(LOG2_E, ROUNDER);
    FloatVector n = rounded.sub(ROUNDER);
    FloatVector r = n.fma(MINUS_LN2_HIGH, a).add(n.fma(MINUS_LN2_LOW, aError));
    FloatVector p = E6.fma(r, E5).fma(r, E4).fma(r, E3).fma(r, E2).fma(r, ONE).fma(r, ONE);
    // the low bits of rounded hold n + 100: shifted into the exponent, they scale p
    p.reinterpretAsInts()
        .add(rounded.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23))
        .reinterpretAsFloats()
        .intoArray(work, EXP + i);
    FloatVector cz = z.mul(C);
    FloatVector t = ONE.div(cz.add(ONE));
    FloatVector u = cz.mul(t);
    FloatVector g = G11.fma(u, G10).fma(u, G9).fma(u, G8).fma(u, G7).fma(u, G6).fma(u, G5)
        .fma(u, G4).fma(u, G3).fma(u, G2).fma(u, G1).fma(u, G0);
    t.mul(g).intoArray(work, TAIL + i);
  }

  /** {@code work[Y + i] = gelu(work[X + i])} for a whole vector, from {@link #factors}. */
  private static void value(float[] work, int i) {
    FloatVector x = FloatVector.fromArray(SPECIES, work, X + i);
    FloatVector scaledExp = FloatVector.fromArray(SPECIES, work, EXP + i);
    FloatVector scaledTail = FloatVector.fromArray(SPECIES, work, TAIL + i);
    // |x| Q(|x|), the scale taken off last: one rounding where it is subnormal; 0 beyond FAR,
    // where the clamp keeps an infinite x times a tail of 0 from making NaN
    FloatVector z = x.abs();
    z = z.blend(FAR, z.compare(VectorOperators.GT, FAR));
    FloatVector tail = z.mul(scaledTail).mul(scaledExp).mul(UNSCALE);
    VectorMask<Float> right = x.compare(VectorOperators.GE, 0f);
    tail.neg().blend(x.sub(tail), right).intoArray(work, Y + i); // x (1 - Q(x)) on the right
  }


  /**
   * {@link #value} and {@link #slope} into {@code work[SLOPE + i]} for a whole vector, the same
   * operations on the same loads.
   */
  private static void valueAndSlope(float[] work, int i) {
    FloatVector x = FloatVector.fromArray(SPECIES, work, X + i);
    FloatVector scaledExp = FloatVector.fromArray(SPECIES, work, EXP + i);
    FloatVector scaledTail = FloatVector.fromArray(SPECIES, work, TAIL + i);
    FloatVector z = x.abs();
    z = z.blend(FAR, z.compare(VectorOperators.GT, FAR));
    FloatVector tail = z.mul(scaledTail).mul(scaledExp).mul(UNSCALE);
    VectorMask<Float> right = x.compare(VectorOperators.GE, 0f);
    tail.neg().blend(x.sub(tail), right).intoArray(work, Y + i);
    FloatVector scaledSlope = z.mul(DENSITY);
    FloatVector left = scaledTail.sub(scaledSlope).mul(scaledExp).mul(UNSCALE);
    FloatVector slope = scaledSlope.sub(scaledTail).fma(scaledExp.mul(UNSCALE), ONE);
    left.blend(slope, right).intoArray(work, SLOPE + i);
  }

  /** {@code work[Y + i] *= gelu'(work[X + i])} for a whole vector, from {@link #factors}. */
  private static void backward(float[] work, int i) {
    slope(work, i, SLOPE);
    FloatVector.fromArray(SPECIES, work, Y + i)
        .mul(FloatVector.fromArray(SPECIES, work, SLOPE + i))
        .intoArray(work, Y + i);
  }

  /** {@code work[at + i] = gelu'(work[X + i])} for a whole vector, from {@link #factors}. */
  private static void slope(float[] work, int i, int at) {
    FloatVector x = FloatVector.fromArray(SPECIES, work, X + i);
    FloatVector scaledExp = FloatVector.fromArray(SPECIES, work, EXP + i);
    FloatVector scaledTail = FloatVector.fromArray(SPECIES, work, TAIL + i);
    FloatVector z = x.abs();
    z = z.blend(FAR, z.compare(VectorOperators.GT, FAR));
    FloatVector scaledSlope = z.mul(DENSITY); // |x| phi(x) / exp(-x^2 / 2)
    // Phi(x) + x phi(x): Q - |x| phi on the left, 1 - Q + |x| phi on the right
    FloatVector left = scaledTail.sub(scaledSlope).mul(scaledExp).mul(UNSCALE);
    FloatVector slope = scaledSlope.sub(scaledTail).fma(scaledExp.mul(UNSCALE), ONE);
    VectorMask<Float> right = x.compare(VectorOperators.GE, 0f);
    left.blend(slope, right).intoArray(work, at + i);
  }
}
