package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import dev.kiln.runtime.Elements;
import jdk.incubator.vector.FloatVector;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link SquaredResiduals}' float32 pass in Vector API lanes of 16, on the arrays' native memory.
 * Cold, a call runs a chunk in lanes and the rest in the plain loop, which gives the same bits
 * ({@link LanesGate}). Only code that checked {@link VectorApi#ENABLED} may load this class.
 */
final class SquaredResidualsLanes {

  private static final LanesGate GATE = new LanesGate("the squared error's");

  private SquaredResidualsLanes() {}

  /** Whether a vector holds the 16 lanes the sums are kept in (AVX-512). */
  static boolean suits() {
    return SPECIES.length() == SquaredResiduals.LANES;
  }

  /**
   * Writes {@code dp = scale (p - y)} over {@code [from, to)}, {@code from} a block's start, and
   * returns the sum of the squares; {@code output}, {@code target} and {@code gradient} are the
   * lanes' arrays, for the plain loop.
   */
  static double pass(FloatLanes p, FloatLanes y, FloatLanes dp, float scale, int from, int to,
      INDArray output, INDArray target, INDArray gradient) {
    int block = SquaredResiduals.BLOCK;
    int end = GATE.lanesEnd(from, to);
    end = end == to ? to : Math.min(to, (end + block - 1) / block * block);
    float[] lanes = JavaWork.floats(5, SquaredResiduals.LANES);
    double sum = 0;
    long mark = GATE.start();
    for (int start = from; start < end; ) {
      int blockEnd = Math.min(end, (start / block + 1) * block);
      int whole = start + (blockEnd - start) / SPECIES.length() * SPECIES.length();
      java.util.Arrays.fill(lanes, 0f); // no vector here: this method may run in C1 code
      for (int i = start; i < whole; i += SPECIES.length()) {
        step(p, y, dp, scale, i, lanes);
      }
      for (int i = whole; i < blockEnd; i++) { // the last values, in the plain loop's lanes
        float r = p.get(i) - y.get(i);
        lanes[i % SquaredResiduals.LANES] += r * r;
        dp.set(i, r * scale);
      }
      sum += SquaredResiduals.laneSum(lanes);
      start = blockEnd;
    }
    GATE.finish(mark, end > from);
    if (end < to) {
      sum += SquaredResiduals.floats((Elements.Floats) Elements.of(output),
          (Elements.Floats) Elements.of(target), (Elements.Floats) Elements.of(gradient), scale,
          end, to);
    }
    return sum;
  }

  /** One vector: its residuals' squares added to {@code lanes}, its gradient stored. */
  private static void step(FloatLanes p, FloatLanes y, FloatLanes dp, float scale, int i,
      float[] lanes) {
    FloatVector r = p.load(i).sub(y.load(i));
    r.mul(r).add(FloatVector.fromArray(SPECIES, lanes, 0)).intoArray(lanes, 0);
    dp.store(r.mul(scale), i);
  }
}
