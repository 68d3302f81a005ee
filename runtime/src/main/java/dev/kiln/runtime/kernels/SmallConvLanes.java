package dev.kiln.runtime.kernels;

import dev.kiln.runtime.SecondThread;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward pass of a float32 convolution with few taps per filter (a first layer over one or a
 * few channels: 4x4x1, 8x8x1), in Vector API lanes on two threads ({@link SecondThread}): each
 * output value is its bias plus the taps' products, added one by one in the kernel's order
 * {@code (row, column, channel)}, a vector of filters at a time. oneDNN's convolution has only
 * {@code kh * kw * c} products per output to share out and spends its time writing the output.
 *
 * <p>{@link #forwardPooledRelu} also takes a ReLU and a tiling 2x2 max pooling after the
 * convolution without writing the convolution's output (prediction's path): it computes each
 * window's four outputs with the same arithmetic as {@link #forward} and writes {@code max(0,
 * their maximum)}, so that a prediction gives bit for bit the values the layers give one by one.
 * Only code that checked {@link VectorApi#ENABLED} may load this class.
 *
 * <p>No {@link LanesGate}: behind one, a cold gate's plain loops took most of the seed CNN's first
 * convolution for as long as the benchmark ran (a training step 124 ms, 58 without the gate).
 */
final class SmallConvLanes {

  private static final VectorSpecies<Float> SPECIES = FloatLanes.SPECIES;
  private static final int WIDTH = SPECIES.length();

  /** The most taps ({@code kh * kw * c}) per filter done here: above, oneDNN's GEMM wins. */
  static final int MAXIMUM_TAPS = 64;

  /** Output values below which one thread does the whole convolution. */
  static final long TWO_THREADS = 1 << 16;

  /**
   * A thread's Java arrays, grown as needed and kept: the calling thread's hold a call's input,
   * kernel, bias and tap offsets, which both threads read; each thread's {@code sums} its four
   * vectors of sums on their way out.
   */
  private static final ThreadLocal<Arrays> ARRAYS = ThreadLocal.withInitial(Arrays::new);

  private static final class Arrays {
    float[] x = new float[0];
    float[] kernel = new float[0];
    float[] bias = new float[0];
    int[] taps = new int[0];
    final float[] sums = new float[8 * WIDTH];
  }

  private SmallConvLanes() {}

  /**
   * Whether this path takes the convolution: float32, row-major contiguous arrays, valid
   * padding, no dilation, at most {@link #MAXIMUM_TAPS} taps, filters a whole number of vectors.
   */
  static boolean handles(INDArray x, INDArray kernel, INDArray bias, Window window, INDArray out) {
    long taps = kernel.size(0) * kernel.size(1) * kernel.size(2);
    return !window.same() && window.dilationHeight() == 1 && window.dilationWidth() == 1
        && floats(x) && floats(kernel) && floats(out) && (bias == null || floats(bias))
        && x.rank() == 4 && out.rank() == 4 && taps <= MAXIMUM_TAPS
        && kernel.size(3) % WIDTH == 0 && x.length() < Integer.MAX_VALUE / Float.BYTES
        && out.length() < Integer.MAX_VALUE / Float.BYTES;
  }

  /** Whether {@link #forwardPooledRelu} takes the pooling too: 2x2 windows at stride 2, valid. */
  static boolean poolsInPlace(Window pool) {
    return !pool.same() && pool.height() == 2 && pool.width() == 2
        && pool.strideHeight() == 2 && pool.strideWidth() == 2
        && pool.dilationHeight() == 1 && pool.dilationWidth() == 1;
  }

  private static boolean floats(INDArray array) {
    return array.dataType() == DataType.FLOAT
        && (array.length() <= 1 || array.ordering() == 'c' && array.elementWiseStride() == 1);
  }

  /** {@code out (n, oh, ow, f) = x (n, h, w, c) * kernel (kh, kw, c, f) + bias}. */
  static void forward(INDArray x, INDArray kernel, INDArray bias, Window window, INDArray out) {
    Plan plan = Plan.of(x, kernel, bias, window, out.size(1), out.size(2));
    FloatLanes target = new FloatLanes(out);
    int rows = plan.n * plan.oh;
    if (SecondThread.ENABLED && out.length() >= TWO_THREADS && rows >= 2) {
      SecondThread.run(() -> convolveRows(plan, target, rows / 2, rows),
          () -> convolveRows(plan, target, 0, rows / 2));
    } else {
      convolveRows(plan, target, 0, rows);
    }
  }

  /**
   * {@link #forward}, ReLU and a max pooling of 2x2 windows at stride 2 ({@link #poolsInPlace})
   * into {@code pooled (n, ph, pw, f)}; the convolution's outputs are not kept.
   */
  static void forwardPooledRelu(
      INDArray x, INDArray kernel, INDArray bias, Window window, INDArray pooled) {
    Plan plan = Plan.of(x, kernel, bias, window, 2 * pooled.size(1), 2 * pooled.size(2));
    FloatLanes target = new FloatLanes(pooled);
    int rows = (int) (plan.n * pooled.size(1));
    int columns = (int) pooled.size(2);
    if (SecondThread.ENABLED && pooled.length() * 4 >= TWO_THREADS && rows >= 2) {
      SecondThread.run(() -> poolRows(plan, target, columns, rows / 2, rows),
          () -> poolRows(plan, target, columns, 0, rows / 2));
    } else {
      poolRows(plan, target, columns, 0, rows);
    }
  }

  /**
   * {@link #forwardPooledRelu}, and into {@code trace}, laid out as {@code pooled}, which cell of
   * each window passed the gradient back, for {@link SmallConvPoolGradient}: 0 to 3 in row-major
   * order, the first holding the window's maximum as {@link MaxPoolLanes} routes it, or -1 where
   * the maximum is not positive and the ReLU passes nothing.
   */
  static void forwardPooledReluTraced(INDArray x, INDArray kernel, INDArray bias, Window window,
      INDArray pooled, INDArray trace) {
    Plan plan = Plan.of(x, kernel, bias, window, 2 * pooled.size(1), 2 * pooled.size(2));
    FloatLanes target = new FloatLanes(pooled);
    FloatLanes cells = new FloatLanes(trace);
    int rows = (int) (plan.n * pooled.size(1));
    int columns = (int) pooled.size(2);
    if (SecondThread.ENABLED && pooled.length() * 4 >= TWO_THREADS && rows >= 2) {
      SecondThread.run(() -> poolRowsTraced(plan, target, cells, columns, rows / 2, rows),
          () -> poolRowsTraced(plan, target, cells, columns, 0, rows / 2));
    } else {
      poolRowsTraced(plan, target, cells, columns, 0, rows);
    }
  }

  /**
   * One call's sizes and arrays: {@code taps[t]}, the offset in {@code x} of tap {@code t} from
   * the window's first cell; {@code ow} and {@code oh} the convolution's output size used.
   */
  record Plan(float[] x, float[] kernel, float[] bias, int[] taps, int tapCount,
      int filters, int n, int h, int w, int c, int oh, int ow, int strideH, int strideW) {

    static Plan of(INDArray x, INDArray kernel, INDArray bias, Window window, long oh, long ow) {
      Arrays arrays = ARRAYS.get();
      int length = (int) x.length();
      int kh = (int) kernel.size(0);
      int kw = (int) kernel.size(1);
      int c = (int) kernel.size(2);
      int filters = (int) kernel.size(3);
      int w = (int) x.size(2);
      int tapCount = kh * kw * c;
      arrays.x = atLeast(arrays.x, length);
      new FloatLanes(x).read(0, arrays.x, 0, length);
      arrays.kernel = atLeast(arrays.kernel, tapCount * filters);
      new FloatLanes(kernel).read(0, arrays.kernel, 0, tapCount * filters);
      arrays.bias = atLeast(arrays.bias, filters);
      if (bias == null) {
        java.util.Arrays.fill(arrays.bias, 0, filters, 0f);
      } else {
        new FloatLanes(bias).read(0, arrays.bias, 0, filters);
      }
      if (arrays.taps.length < tapCount) {
        arrays.taps = new int[tapCount];
      }
      for (int u = 0, t = 0; u < kh; u++) {
        for (int v = 0; v < kw * c; v++) {
          arrays.taps[t++] = u * w * c + v;
        }
      }
      return new Plan(arrays.x, arrays.kernel, arrays.bias, arrays.taps, tapCount, filters,
          (int) x.size(0), (int) x.size(1), w, c, (int) oh, (int) ow,
          window.strideHeight(), window.strideWidth());
    }

    /** Where output pixel {@code (b, i, j)}'s window starts in {@code x}. */
    int corner(int b, int i, int j) {
      return ((b * h + i * strideH) * w + j * strideW) * c;
    }
  }

  private static float[] atLeast(float[] array, int length) {
    return array.length >= length ? array : new float[length];
  }

  /** Output rows {@code [from, to)} of all images, four pixels at a time, then the rest. */
  private static void convolveRows(Plan p, FloatLanes out, int from, int to) {
    float[] sums = ARRAYS.get().sums;
    for (int row = from; row < to; row++) {
      int b = row / p.oh;
      int i = row % p.oh;
      int at = row * p.ow * p.filters;
      int j = 0;
      for (; j + 4 <= p.ow; j += 4) {
        int a0 = p.corner(b, i, j);
        int a1 = p.corner(b, i, j + 1);
        int a2 = p.corner(b, i, j + 2);
        int a3 = p.corner(b, i, j + 3);
        int k = 0;
        for (; k + 2 * WIDTH <= p.filters; k += 2 * WIDTH) {
          fourByTwo(p, a0, a1, a2, a3, k, sums);
          for (int q = 0; q < 8; q++) {
            out.store(FloatVector.fromArray(SPECIES, sums, q * WIDTH),
                at + (j + q % 4) * p.filters + k + q / 4 * WIDTH);
          }
        }
        for (; k < p.filters; k += WIDTH) {
          four(p, a0, a1, a2, a3, k, sums);
          for (int q = 0; q < 4; q++) {
            out.store(FloatVector.fromArray(SPECIES, sums, q * WIDTH),
                at + (j + q) * p.filters + k);
          }
        }
      }
      for (; j < p.ow; j++) {
        int corner = p.corner(b, i, j);
        for (int k = 0; k < p.filters; k += WIDTH) {
          one(p, corner, k, out, at + j * p.filters + k);
        }
      }
    }
  }

  /** Pooled rows {@code [from, to)} of all images: each 2x2 window's outputs, ReLU, maximum. */
  private static void poolRows(Plan p, FloatLanes pooled, int columns, int from, int to) {
    int rowsPerImage = p.oh / 2;
    float[] sums = ARRAYS.get().sums;
    for (int row = from; row < to; row++) {
      int b = row / rowsPerImage;
      int i = 2 * (row % rowsPerImage);
      for (int j = 0; j < columns; j++) {
        int at = (row * columns + j) * p.filters;
        int left = 2 * j;
        int a0 = p.corner(b, i, left);
        int a1 = p.corner(b, i, left + 1);
        int a2 = p.corner(b, i + 1, left);
        int a3 = p.corner(b, i + 1, left + 1);
        int k = 0;
        for (; k + 2 * WIDTH <= p.filters; k += 2 * WIDTH) {
          fourByTwo(p, a0, a1, a2, a3, k, sums);
          storeReluOfMax(sums, 0, pooled, at + k);
          storeReluOfMax(sums, 4 * WIDTH, pooled, at + k + WIDTH);
        }
        for (; k < p.filters; k += WIDTH) {
          four(p, a0, a1, a2, a3, k, sums);
          storeReluOfMax(sums, 0, pooled, at + k);
        }
      }
    }
  }

  /** {@link #poolRows}, also writing each window's winning cell into {@code trace}. */
  private static void poolRowsTraced(
      Plan p, FloatLanes pooled, FloatLanes trace, int columns, int from, int to) {
    int rowsPerImage = p.oh / 2;
    float[] sums = ARRAYS.get().sums;
    for (int row = from; row < to; row++) {
      int b = row / rowsPerImage;
      int i = 2 * (row % rowsPerImage);
      for (int j = 0; j < columns; j++) {
        int at = (row * columns + j) * p.filters;
        int left = 2 * j;
        int a0 = p.corner(b, i, left);
        int a1 = p.corner(b, i, left + 1);
        int a2 = p.corner(b, i + 1, left);
        int a3 = p.corner(b, i + 1, left + 1);
        int k = 0;
        for (; k + 2 * WIDTH <= p.filters; k += 2 * WIDTH) {
          fourByTwo(p, a0, a1, a2, a3, k, sums);
          storeReluOfMaxTraced(sums, 0, pooled, trace, at + k);
          storeReluOfMaxTraced(sums, 4 * WIDTH, pooled, trace, at + k + WIDTH);
        }
        for (; k < p.filters; k += WIDTH) {
          four(p, a0, a1, a2, a3, k, sums);
          storeReluOfMaxTraced(sums, 0, pooled, trace, at + k);
        }
      }
    }
  }

  /**
   * {@link #storeReluOfMax}, the same bits, and the winning cell: the first of the four, in
   * row-major order, equal to the maximum; -1 where the maximum is not positive (or NaN).
   */
  private static void storeReluOfMaxTraced(
      float[] sums, int from, FloatLanes pooled, FloatLanes trace, int at) {
    FloatVector s0 = FloatVector.fromArray(SPECIES, sums, from);
    FloatVector s1 = FloatVector.fromArray(SPECIES, sums, from + WIDTH);
    FloatVector s2 = FloatVector.fromArray(SPECIES, sums, from + 2 * WIDTH);
    FloatVector s3 = FloatVector.fromArray(SPECIES, sums, from + 3 * WIDTH);
    FloatVector max = s0.max(s1).max(s2.max(s3));
    pooled.store(max.max(FloatVector.zero(SPECIES)), at);
    FloatVector cell = FloatVector.broadcast(SPECIES, -1f)
        .blend(3f, s3.eq(max))
        .blend(2f, s2.eq(max))
        .blend(1f, s1.eq(max))
        .blend(0f, s0.eq(max))
        .blend(-1f, max.compare(VectorOperators.GT, 0f).not());
    trace.store(cell, at);
  }

  /** The window's four sums' maximum, or 0 where it is below, as MaxPoolLanes takes it. */
  private static void storeReluOfMax(float[] sums, int from, FloatLanes pooled, int at) {
    FloatVector top = FloatVector.fromArray(SPECIES, sums, from)
        .max(FloatVector.fromArray(SPECIES, sums, from + WIDTH));
    FloatVector bottom = FloatVector.fromArray(SPECIES, sums, from + 2 * WIDTH)
        .max(FloatVector.fromArray(SPECIES, sums, from + 3 * WIDTH));
    pooled.store(top.max(bottom).max(FloatVector.zero(SPECIES)), at);
  }

  /**
   * Filters {@code [k, k + WIDTH)} of the four output pixels whose windows start at {@code a0}
   * to {@code a3}, into {@code sums}: the bias, then each tap's product added in order.
   */
  private static void four(Plan p, int a0, int a1, int a2, int a3, int k, float[] sums) {
    float[] x = p.x;
    float[] kernel = p.kernel;
    int[] taps = p.taps;
    int filters = p.filters;
    FloatVector s0 = FloatVector.fromArray(SPECIES, p.bias, k);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    for (int t = 0; t < p.tapCount; t++) {
      FloatVector weights = FloatVector.fromArray(SPECIES, kernel, t * filters + k);
      int offset = taps[t];
      s0 = weights.fma(FloatVector.broadcast(SPECIES, x[a0 + offset]), s0);
      s1 = weights.fma(FloatVector.broadcast(SPECIES, x[a1 + offset]), s1);
      s2 = weights.fma(FloatVector.broadcast(SPECIES, x[a2 + offset]), s2);
      s3 = weights.fma(FloatVector.broadcast(SPECIES, x[a3 + offset]), s3);
    }
    s0.intoArray(sums, 0);
    s1.intoArray(sums, WIDTH);
    s2.intoArray(sums, 2 * WIDTH);
    s3.intoArray(sums, 3 * WIDTH);
  }

  /**
   * {@link #four} for filters {@code [k, k + 2 * WIDTH)}: the first vector's four sums, then the
   * second's, each added in the same order. Eight chains of products rather than four, and a
   * broadcast input value feeds two of them: the seed CNN's first convolution pooled for a
   * prediction took 3.8-4.0 ms of CPU a call with four alone, 2.8 with eight (loaded machine).
   */
  private static void fourByTwo(Plan p, int a0, int a1, int a2, int a3, int k, float[] sums) {
    float[] x = p.x;
    float[] kernel = p.kernel;
    int[] taps = p.taps;
    int filters = p.filters;
    FloatVector s0 = FloatVector.fromArray(SPECIES, p.bias, k);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    FloatVector u0 = FloatVector.fromArray(SPECIES, p.bias, k + WIDTH);
    FloatVector u1 = u0;
    FloatVector u2 = u0;
    FloatVector u3 = u0;
    for (int t = 0; t < p.tapCount; t++) {
      FloatVector weights = FloatVector.fromArray(SPECIES, kernel, t * filters + k);
      FloatVector next = FloatVector.fromArray(SPECIES, kernel, t * filters + k + WIDTH);
      int offset = taps[t];
      FloatVector x0 = FloatVector.broadcast(SPECIES, x[a0 + offset]);
      FloatVector x1 = FloatVector.broadcast(SPECIES, x[a1 + offset]);
      FloatVector x2 = FloatVector.broadcast(SPECIES, x[a2 + offset]);
      FloatVector x3 = FloatVector.broadcast(SPECIES, x[a3 + offset]);
      s0 = weights.fma(x0, s0);
      s1 = weights.fma(x1, s1);
      s2 = weights.fma(x2, s2);
      s3 = weights.fma(x3, s3);
      u0 = next.fma(x0, u0);
      u1 = next.fma(x1, u1);
      u2 = next.fma(x2, u2);
      u3 = next.fma(x3, u3);
    }
    s0.intoArray(sums, 0);
    s1.intoArray(sums, WIDTH);
    s2.intoArray(sums, 2 * WIDTH);
    s3.intoArray(sums, 3 * WIDTH);
    u0.intoArray(sums, 4 * WIDTH);
    u1.intoArray(sums, 5 * WIDTH);
    u2.intoArray(sums, 6 * WIDTH);
    u3.intoArray(sums, 7 * WIDTH);
  }

  /** {@link #four} for one pixel, the same operations in the same order, stored at {@code at}. */
  private static void one(Plan p, int a0, int k, FloatLanes out, int at) {
    float[] x = p.x;
    float[] kernel = p.kernel;
    int[] taps = p.taps;
    int filters = p.filters;
    FloatVector s0 = FloatVector.fromArray(SPECIES, p.bias, k);
    for (int t = 0; t < p.tapCount; t++) {
      FloatVector weights = FloatVector.fromArray(SPECIES, kernel, t * filters + k);
      s0 = weights.fma(FloatVector.broadcast(SPECIES, x[a0 + taps[t]]), s0);
    }
    out.store(s0, at);
  }
}
