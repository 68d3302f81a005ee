package dev.kiln.runtime.kernels;

import dev.kiln.runtime.SecondThread;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernel and bias gradients of a small float32 convolution that reads a model input, whose
 * ReLU and 2x2 max pooling ran in {@link SmallConvLanes#forwardPooledReluTraced}: from the pooled
 * gradient and the trace of each window's winning cell, without the convolution's output or its
 * gradient. Each window's gradient reaches one of its four cells or none, so per vector of filters
 * it splits into four masked vectors, one per cell, and every tap adds the four cells' input values
 * times them: {@code dKernel[t, f] += sum over cells c of g_c[f] * x[corner_c + t]}. (A filter at
 * a time, its winning cell's taps times its gradient, does a quarter of the products but took
 * twice as long: a scalar load, conversion and address per filter and window.)
 *
 * <p>The seed CNN's first layer wrote and read a 64x25x25x128 output and its gradient (20 MB
 * each) in four passes (pooling forward and backward, the gradient's columns and their product);
 * this reads the pooled gradient and the trace, a quarter of that each. Rows of windows split over
 * two threads ({@link SecondThread}), each adding into its own sums, added in a fixed order after.
 * Only code that checked {@link VectorApi#ENABLED} may load this class.
 */
final class SmallConvPoolGradient {

  /** Loads and stores go through the Vector API here, not FloatLanes' methods: FloatLanes#at. */
  private static final ByteOrder ORDER = FloatLanes.ORDER;
  private static final VectorSpecies<Float> SPECIES = FloatLanes.SPECIES;
  private static final int WIDTH = SPECIES.length();

  /** The calling thread's sums and copies, and those it lends the second thread. */
  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(() -> new Work(true));

  /**
   * One thread's sums, grown as needed and kept: {@code (taps + 1, filters)}, the kernel's
   * gradient and then the bias's.
   */
  private static final class Work {
    float[] sums = new float[0];
    final Work second;

    Work(boolean withSecond) {
      second = withSecond ? new Work(false) : null;
    }

    Work sized(int length) {
      if (sums.length < length) {
        sums = new float[length];
      }
      return this;
    }
  }

  private static final LanesGate GATE =
      new LanesGate("small convolution's pooled gradient", 2 * SmallConvLanes.COLD_GROWTH);

  private SmallConvPoolGradient() {}

  /**
   * Writes the kernel's gradient and the bias's (unless null).
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, c, filters)}, for its shape
   * @param trace what {@link SmallConvLanes#forwardPooledReluTraced} wrote, {@code (n, ph, pw,
   *     filters)} values at its start
   * @param dPooled the pooling's output gradient, {@code (n, ph, pw, filters)}
   * @param window the convolution's window
   * @param dKernel written, {@code (kh, kw, c, filters)}
   * @param dBias written, {@code (filters)}, or null
   */
  static void compute(INDArray x, INDArray kernel, INDArray trace, INDArray dPooled,
      Window window, INDArray dKernel, INDArray dBias) {
    SmallConvPlan plan = SmallConvPlan.of(
        x, kernel, null, window, 2 * dPooled.size(1), 2 * dPooled.size(2));
    int filters = plan.filters;
    int length = (plan.tapCount + 1) * filters;
    Work first = WORK.get().sized(length);
    FloatLanes cells = new FloatLanes(trace);
    FloatLanes gradient = new FloatLanes(dPooled);
    int rows = (int) (plan.n * dPooled.size(1));
    int columns = (int) dPooled.size(2);
    if (SecondThread.ENABLED && dPooled.length() * 4 >= SmallConvLanes.TWO_THREADS && rows >= 2) {
      Work second = first.second.sized(length);
      SecondThread.run(() -> sumRows(plan, cells, gradient, columns, rows / 2, rows, second.sums),
          () -> sumRows(plan, cells, gradient, columns, 0, rows / 2, first.sums));
      addInto(first.sums, second.sums, length);
    } else {
      sumRows(plan, cells, gradient, columns, 0, rows, first.sums);
    }
    int kernelLength = plan.tapCount * filters;
    write(first.sums, 0, kernelLength, dKernel);
    if (dBias != null) {
      write(first.sums, kernelLength, filters, dBias);
    }
  }

  /**
   * Windows of pooled rows {@code [from, to)}, added into {@code sums} (kernel, then bias); a cold
   * call's later rows in plain loops ({@link LanesGate}, {@link SmallConvLoops}), in the same
   * order with the same bits.
   */
  private static void sumRows(SmallConvPlan p, FloatLanes trace, FloatLanes dPooled,
      int columns, int from, int to, float[] sums) {
    int filters = p.filters;
    java.util.Arrays.fill(sums, 0, (p.tapCount + 1) * filters, 0f);
    int rowsPerImage = p.oh / 2;
    // Twice a pooled row's count, as the traced forward pass (SmallConvLanes.COLD_GROWTH).
    int lanesEnd = GATE.lanesEnd(from, to, 8 * columns * filters);
    long mark = GATE.start();
    for (int row = from; row < lanesEnd; row++) {
      int b = row / rowsPerImage;
      int i = 2 * (row % rowsPerImage);
      for (int j = 0; j < columns; j++) {
        int at = (row * columns + j) * filters;
        int left = 2 * j;
        int a0 = p.corner(b, i, left);
        int a1 = p.corner(b, i, left + 1);
        int a2 = p.corner(b, i + 1, left);
        int a3 = p.corner(b, i + 1, left + 1);
        for (int k = 0; k < filters; k += WIDTH) {
          addWindow(p, trace, dPooled, at + k, a0, a1, a2, a3, k, sums);
        }
      }
    }
    GATE.finish(mark, lanesEnd > from);
    SmallConvLoops.gradientRows(p, trace, dPooled, columns, lanesEnd, to, sums);
  }

  /** {@code sums[i] += more[i]}: a plain loop, which C2 vectorizes and never boxes. */
  private static void addInto(float[] sums, float[] more, int length) {
    for (int i = 0; i < length; i++) {
      sums[i] += more[i];
    }
  }

  /**
   * One window's gradient for filters {@code [k, k + WIDTH)} (at {@code window} in the trace and
   * the pooled gradient), split by winning cell; nothing where
   * no cell of the vector passes anything back. The trace and gradient are loaded here, in the
   * method with the tap loop, so that C2 compiles one method with a loop, after some 900 calls
   * (one without a loop, called per window, took 5,000, and a cold call's chunk allocates until
   * then, {@link LanesGate}); vectors passed between methods C2 did not inline are boxed. (Each
   * tap's four products summed in pairs before the add boxed vectors in C2: 14 MB of heap a
   * call.)
   */
  private static void addWindow(SmallConvPlan p, FloatLanes trace, FloatLanes dPooled,
      int window, int a0, int a1, int a2, int a3, int k, float[] sums) {
    FloatVector cell =
        FloatVector.fromByteBuffer(SPECIES, trace.buffer, trace.at(window), ORDER);
    if (!cell.compare(VectorOperators.GE, 0f).anyTrue()) {
      return;
    }
    FloatVector g =
        FloatVector.fromByteBuffer(SPECIES, dPooled.buffer, dPooled.at(window), ORDER);
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector g0 = zero.blend(g, cell.eq(0f));
    FloatVector g1 = zero.blend(g, cell.eq(1f));
    FloatVector g2 = zero.blend(g, cell.eq(2f));
    FloatVector g3 = zero.blend(g, cell.eq(3f));
    float[] x = p.x;
    int[] taps = p.taps;
    int filters = p.filters;
    for (int t = 0; t < p.tapCount; t++) {
      int offset = taps[t];
      int at = t * filters + k;
      FloatVector sum = FloatVector.fromArray(SPECIES, sums, at);
      sum = g0.fma(FloatVector.broadcast(SPECIES, x[a0 + offset]), sum);
      sum = g1.fma(FloatVector.broadcast(SPECIES, x[a1 + offset]), sum);
      sum = g2.fma(FloatVector.broadcast(SPECIES, x[a2 + offset]), sum);
      sum = g3.fma(FloatVector.broadcast(SPECIES, x[a3 + offset]), sum);
      sum.intoArray(sums, at);
    }
    int bias = p.tapCount * filters + k;
    FloatVector.fromArray(SPECIES, sums, bias).add(g0.add(g1).add(g2.add(g3)))
        .intoArray(sums, bias);
  }

  /** {@code length} sums from {@code offset} into {@code target}, a view of any layout. */
  private static void write(float[] sums, int offset, int length, INDArray target) {
    if (target.dataType() == DataType.FLOAT && target.ordering() == 'c'
        && target.elementWiseStride() == 1) {
      new FloatLanes(target).write(sums, offset, 0, length);
    } else {
      float[] values = java.util.Arrays.copyOfRange(sums, offset, offset + length);
      target.assign(Nd4j.createFromArray(values).reshape(target.shape()));
    }
  }
}
