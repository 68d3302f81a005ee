package dev.kiln.runtime.kernels;

import dev.kiln.runtime.SecondThread;
import java.nio.ByteOrder;
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
 * <p>Same padding runs as valid padding over a zero-padded copy of the input. Cold calls run a
 * chunk of rows in lanes and the rest in {@link SmallConvLoops}' plain loops, the same bits
 * ({@link LanesGate}): whole lanes, interpreted, filled 250-300 MB of Java heap in the memory
 * probe's first calls (the seed CNN's, CnnFlat's), and would have with the U-Net's first
 * convolution (3x3 over 256x256, same padding).
 */
final class SmallConvLanes {

  /** Loads and stores go through the Vector API here, not FloatLanes' methods: FloatLanes#at. */
  private static final ByteOrder ORDER = FloatLanes.ORDER;
  private static final VectorSpecies<Float> SPECIES = FloatLanes.SPECIES;
  private static final int WIDTH = SPECIES.length();

  /** The most taps ({@code kh * kw * c}) per filter done here: above, oneDNN's GEMM wins. */
  static final int MAXIMUM_TAPS = 64;

  /**
   * How far the pooled paths' cold chunks grow ({@link LanesGate#LanesGate(String, int)}): with
   * {@link LanesGate#COLD_ELEMENTS} alone, CnnFlat's training took 10-15 steps to warm its gates
   * (a plain loop each meanwhile); with 8 times that from the first call, 2, but the memory
   * probe's four cold calls filled 249 MB of Java heap (73 MB with the small chunk). The training
   * paths count each row twice and grow twice as far: their lanes do about twice the vector
   * operations per output, which a cold chunk allocates.
   */
  static final int COLD_GROWTH = 8;

  /**
   * The largest image, in pixels, whose same padding runs here: the U-Net's first convolution
   * (3x3 same over 256x256, batch 1) took 3.1-3.3 ms of CPU in the lanes against 2.4-3.1 in
   * oneDNN, and its cold chunks raised the U-Net's peak in the memory probe (1,190-1,212 MB
   * against 1,176-1,195).
   */
  static final long SAME_PADDING_PIXELS = 128 * 128;

  /** Output values below which one thread does the whole convolution. */
  static final long TWO_THREADS = 1 << 16;

  /** Each thread's four (or eight) vectors of sums on their way out. */
  private static final ThreadLocal<float[]> SUMS =
      ThreadLocal.withInitial(() -> new float[8 * WIDTH]);

  private static final LanesGate CONVOLUTION = new LanesGate("small convolution");
  private static final LanesGate POOLED =
      new LanesGate("small convolution, pooled", COLD_GROWTH);
  private static final LanesGate TRACED =
      new LanesGate("small convolution, pooled for backward", 2 * COLD_GROWTH);

  private SmallConvLanes() {}

  /**
   * Whether this path takes the convolution: float32, row-major contiguous arrays, no dilation,
   * at most {@link #MAXIMUM_TAPS} taps, filters a whole number of vectors. Same padding runs as
   * valid padding over the zero-padded copy of the input that {@link SmallConvPlan} makes, on
   * images of at most {@link #SAME_PADDING_PIXELS}.
   */
  static boolean handles(INDArray x, INDArray kernel, INDArray bias, Window window, INDArray out) {
    long taps = kernel.size(0) * kernel.size(1) * kernel.size(2);
    return window.dilationHeight() == 1 && window.dilationWidth() == 1
        && (!window.same() || x.size(1) * x.size(2) <= SAME_PADDING_PIXELS)
        && floats(x) && floats(kernel) && floats(out) && (bias == null || floats(bias))
        && x.rank() == 4 && out.rank() == 4 && taps <= MAXIMUM_TAPS
        && kernel.size(3) % WIDTH == 0
        && SmallConvPlan.paddedLength(x, window) < Integer.MAX_VALUE / Float.BYTES
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
    SmallConvPlan plan = SmallConvPlan.of(x, kernel, bias, window, out.size(1), out.size(2));
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
    SmallConvPlan plan =
        SmallConvPlan.of(x, kernel, bias, window, 2 * pooled.size(1), 2 * pooled.size(2));
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
    SmallConvPlan plan =
        SmallConvPlan.of(x, kernel, bias, window, 2 * pooled.size(1), 2 * pooled.size(2));
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
   * Output rows {@code [from, to)} of all images; a cold call's later rows in plain loops
   * ({@link LanesGate}, {@link SmallConvLoops}), which give the same bits.
   */
  private static void convolveRows(SmallConvPlan p, FloatLanes out, int from, int to) {
    float[] sums = SUMS.get();
    int lanesEnd = CONVOLUTION.lanesEnd(from, to, p.ow * p.filters);
    long mark = CONVOLUTION.start();
    for (int row = from; row < lanesEnd; row++) {
      convolveRow(p, out, row, sums);
    }
    CONVOLUTION.finish(mark, lanesEnd > from);
    SmallConvLoops.convolveRows(p, out, lanesEnd, to);
  }

  /**
   * One output row, four pixels at a time, then the rest. Its vectors live in the methods it
   * calls, which C2 compiles whole: the row loop runs a few times a call and stays interpreted
   * in a cold JVM, where a vector in its own code allocated on every use, and the gate never
   * warmed (a gate over this loop with the stores in it stayed cold for as long as the seed CNN
   * trained).
   */
  private static void convolveRow(SmallConvPlan p, FloatLanes out, int row, float[] sums) {
    int b = row / p.oh;
    int i = row % p.oh;
    int at = row * p.ow * p.filters;
    int j = 0;
    for (; j + 4 <= p.ow; j += 4) {
      int a0 = p.corner(b, i, j);
      int a1 = p.corner(b, i, j + 1);
      int a2 = p.corner(b, i, j + 2);
      int a3 = p.corner(b, i, j + 3);
      int pixel = at + j * p.filters;
      int k = 0;
      for (; k + 2 * WIDTH <= p.filters; k += 2 * WIDTH) {
        fourByTwo(p, a0, a1, a2, a3, k, sums);
        storeFour(sums, 0, out, pixel + k, p.filters);
        storeFour(sums, 4 * WIDTH, out, pixel + k + WIDTH, p.filters);
      }
      for (; k < p.filters; k += WIDTH) {
        four(p, a0, a1, a2, a3, k, sums);
        storeFour(sums, 0, out, pixel + k, p.filters);
      }
    }
    for (; j < p.ow; j++) {
      int corner = p.corner(b, i, j);
      for (int k = 0; k < p.filters; k += WIDTH) {
        one(p, corner, k, out, at + j * p.filters + k);
      }
    }
  }

  /** Four pixels' vectors of sums from {@code sums[from]} on, the pixels {@code stride} apart. */
  private static void storeFour(float[] sums, int from, FloatLanes out, int at, int stride) {
    for (int q = 0; q < 4; q++) {
      FloatVector.fromArray(SPECIES, sums, from + q * WIDTH)
          .intoByteBuffer(out.buffer, out.at(at + q * stride), ORDER);
    }
  }

  /**
   * Pooled rows {@code [from, to)} of all images: each 2x2 window's outputs, ReLU, maximum; a
   * cold call's later rows in plain loops, as {@link #convolveRows}.
   */
  private static void poolRows(SmallConvPlan p, FloatLanes pooled, int columns, int from, int to) {
    float[] sums = SUMS.get();
    int lanesEnd = POOLED.lanesEnd(from, to, 4 * columns * p.filters);
    long mark = POOLED.start();
    for (int row = from; row < lanesEnd; row++) {
      int b = row / (p.oh / 2);
      int i = 2 * (row % (p.oh / 2));
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
    POOLED.finish(mark, lanesEnd > from);
    SmallConvLoops.poolRows(p, pooled, null, columns, lanesEnd, to);
  }

  /** {@link #poolRows}, also writing each window's winning cell into {@code trace}. */
  private static void poolRowsTraced(
      SmallConvPlan p, FloatLanes pooled, FloatLanes trace, int columns, int from, int to) {
    float[] sums = SUMS.get();
    // Twice a pooled row's count: the trace's blends double the vector operations per output.
    int lanesEnd = TRACED.lanesEnd(from, to, 8 * columns * p.filters);
    long mark = TRACED.start();
    for (int row = from; row < lanesEnd; row++) {
      int b = row / (p.oh / 2);
      int i = 2 * (row % (p.oh / 2));
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
    TRACED.finish(mark, lanesEnd > from);
    SmallConvLoops.poolRows(p, pooled, trace, columns, lanesEnd, to);
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
    max.max(FloatVector.zero(SPECIES)).intoByteBuffer(pooled.buffer, pooled.at(at), ORDER);
    FloatVector cell = FloatVector.broadcast(SPECIES, -1f)
        .blend(3f, s3.eq(max))
        .blend(2f, s2.eq(max))
        .blend(1f, s1.eq(max))
        .blend(0f, s0.eq(max))
        .blend(-1f, max.compare(VectorOperators.GT, 0f).not());
    cell.intoByteBuffer(trace.buffer, trace.at(at), ORDER);
  }

  /** The window's four sums' maximum, or 0 where it is below, as MaxPoolLanes takes it. */
  private static void storeReluOfMax(float[] sums, int from, FloatLanes pooled, int at) {
    FloatVector top = FloatVector.fromArray(SPECIES, sums, from)
        .max(FloatVector.fromArray(SPECIES, sums, from + WIDTH));
    FloatVector bottom = FloatVector.fromArray(SPECIES, sums, from + 2 * WIDTH)
        .max(FloatVector.fromArray(SPECIES, sums, from + 3 * WIDTH));
    top.max(bottom).max(FloatVector.zero(SPECIES))
        .intoByteBuffer(pooled.buffer, pooled.at(at), ORDER);
  }

  /**
   * Filters {@code [k, k + WIDTH)} of the four output pixels whose windows start at {@code a0}
   * to {@code a3}, into {@code sums}: the bias, then each tap's product added in order.
   */
  private static void four(SmallConvPlan p, int a0, int a1, int a2, int a3, int k, float[] sums) {
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
  private static void fourByTwo(
      SmallConvPlan p, int a0, int a1, int a2, int a3, int k, float[] sums) {
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
  private static void one(SmallConvPlan p, int a0, int k, FloatLanes out, int at) {
    float[] x = p.x;
    float[] kernel = p.kernel;
    int[] taps = p.taps;
    int filters = p.filters;
    FloatVector s0 = FloatVector.fromArray(SPECIES, p.bias, k);
    for (int t = 0; t < p.tapCount; t++) {
      FloatVector weights = FloatVector.fromArray(SPECIES, kernel, t * filters + k);
      s0 = weights.fma(FloatVector.broadcast(SPECIES, x[a0 + taps[t]]), s0);
    }
    s0.intoByteBuffer(out.buffer, out.at(at), ORDER);
  }
}
