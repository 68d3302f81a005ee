package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mean squared error's one pass over an output {@code p} and its targets {@code y}: writes
 * the gradient {@code dp = scale (p - y)} and returns {@code sum((p - y)^2)}, in two halves at
 * once ({@link SecondThread}) from {@link #TWO_THREADS} values on. Float32 arrays take Vector API
 * lanes ({@link SquaredResidualsLanes}), the others a plain loop; for float32 both give the same
 * bits: the residual and the gradient in float arithmetic, as libnd4j's subtraction and scaling
 * did, and the squares summed per lane ({@code i % 16}) in float32 over blocks of {@link #BLOCK}
 * values counted from the first, then in float64.
 *
 * <p>Why: as libnd4j's subtraction, squared norm and scaling, the transformer block's loss over
 * 0.5M outputs took 2.8-3.2 ms inside a step, three passes where one reads 4 MB and writes 2.
 */
public final class SquaredResiduals {

  /** The smallest output done in two halves at once. */
  static final long TWO_THREADS = 1 << 16;

  /** Values whose squares are summed in float32 per lane before they go into the float64 sum. */
  static final int BLOCK = 1024;

  /** The lanes the float32 squares are summed in: 16, the widest vector's, whatever the CPU. */
  static final int LANES = 16;

  private SquaredResiduals() {}

  /** Whether {@link #sumAndGradient} takes the arrays: contiguous, of one type and length. */
  public static boolean take(INDArray p, INDArray y, INDArray dp) {
    return Elements.accepts(p) && Elements.accepts(y) && Elements.accepts(dp)
        && p.dataType() == y.dataType() && p.dataType() == dp.dataType()
        && p.length() == y.length() && p.length() == dp.length() && p.length() > 0;
  }

  /**
   * Writes {@code dp = scale (p - y)} and returns {@code sum((p - y)^2)}.
   *
   * @param p the output, any shape
   * @param y the targets, as many values
   * @param scale the gradient's factor, rounded to float for float32 arrays
   * @param dp written, as many values; may be {@code p}
   */
  public static double sumAndGradient(INDArray p, INDArray y, double scale, INDArray dp) {
    int n = Math.toIntExact(p.length());
    double[] sums = new double[2]; // each half's, added once both are done
    if (VectorApi.appliesTo(p.dataType()) && SquaredResidualsLanes.suits()) {
      FloatLanes output = new FloatLanes(p);
      FloatLanes target = new FloatLanes(y);
      FloatLanes gradient = new FloatLanes(dp);
      inHalves(n, sums, (from, to) -> SquaredResidualsLanes.pass(output, target, gradient,
          (float) scale, from, to, p, y, dp));
      Reference.reachabilityFence(p); // lanes view the native memory, they do not hold it
      Reference.reachabilityFence(y);
      Reference.reachabilityFence(dp);
    } else {
      Elements output = Elements.of(p);
      Elements target = Elements.of(y);
      Elements gradient = Elements.of(dp);
      inHalves(n, sums, (from, to) -> output instanceof Elements.Floats floats
          ? floats(floats, (Elements.Floats) target, (Elements.Floats) gradient, (float) scale,
              from, to)
          : doubles(output, target, gradient, scale, from, to));
    }
    return sums[0] + sums[1];
  }

  /** A pass over the values {@code [from, to)}, returning its sum of squares. */
  interface Part {
    double run(int from, int to);
  }

  /** {@code part} over {@code [0, n)}, its sums in {@code sums}: two halves from TWO_THREADS. */
  private static void inHalves(int n, double[] sums, Part part) {
    if (n < TWO_THREADS) {
      sums[0] = part.run(0, n);
      return;
    }
    int half = n / 2 / BLOCK * BLOCK; // on a block's boundary, as one pass would sum
    SecondThread.run(() -> sums[1] = part.run(half, n), () -> sums[0] = part.run(0, half));
  }

  private static double doubles(Elements p, Elements y, Elements dp, double scale, int from,
      int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      double r = p.get(i) - y.get(i);
      sum += r * r;
      dp.set(i, r * scale);
    }
    return sum;
  }

  /**
   * The float32 pass in plain Java, block by block of {@link #BLOCK} values: the lanes' values to
   * the bit.
   */
  static double floats(Elements.Floats p, Elements.Floats y, Elements.Floats dp, float scale,
      int from, int to) {
    float[] residual = JavaWork.floats(6, BLOCK);
    float[] target = JavaWork.floats(7, BLOCK);
    float[] lanes = JavaWork.floats(5, LANES);
    double sum = 0;
    for (int start = from; start < to; ) {
      int end = Math.min(to, (start / BLOCK + 1) * BLOCK);
      int length = end - start;
      p.read(start, residual, length);
      y.read(start, target, length);
      java.util.Arrays.fill(lanes, 0f);
      for (int j = 0; j < length; j++) {
        float r = residual[j] - target[j];
        lanes[(start + j) % LANES] += r * r;
        residual[j] = r * scale;
      }
      dp.write(start, residual, length);
      sum += laneSum(lanes);
      start = end;
    }
    return sum;
  }

  /** The lanes' float sums added in float64, in lane order. */
  static double laneSum(float[] lanes) {
    double sum = 0;
    for (int l = 0; l < LANES; l++) {
      sum += lanes[l];
    }
    return sum;
  }
}
