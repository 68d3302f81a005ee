package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' inverted dropout. In training each entry is kept with probability {@code 1 - rate} and
 * scaled by {@code 1 / (1 - rate)}, so that its expected value is unchanged and inference is the
 * identity. The mask of kept entries is the caller's, so that the backward pass sees the same one.
 */
public final class Dropout {

  private static final int CHUNK = 4096;

  private static final ThreadLocal<float[][]> CHUNKS =
      ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK], new float[CHUNK]});

  private Dropout() {}

  /**
   * @param x input, any shape
   * @param rate the share of entries dropped, in {@code [0, 1)}
   * @param training whether to drop; otherwise {@code out = x} and the mask is left alone
   * @param random the generator the mask is drawn from; each draw advances it
   * @param mask written in training with 1 for a kept entry and 0 for a dropped one, shaped like
   *     {@code x}
   * @param out written, shaped like {@code x}; may be {@code x}
   */
  public static void forward(
      INDArray x, double rate, boolean training, Random random, INDArray mask, INDArray out) {
    requireRate(rate);
    Require.sameShape(out, x, "Dropout output");
    if (!training) {
      copy(x, out);
      return;
    }
    Require.sameShape(mask, x, "Dropout mask");
    if (rate == 0) {
      // Keras skips the draw; the mask still says what happened, for the backward pass.
      mask.assign(1.0);
      copy(x, out);
      return;
    }
    Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, 1 - rate), random);
    scaleKept(x, mask, 1 - rate, out);
  }

  /**
   * @param dOut the output gradient
   * @param rate the rate of the forward pass
   * @param mask the mask of the last training forward pass
   * @param dx written with {@code dOut * mask / (1 - rate)}, or {@code null} when no layer needs
   *     it; may be {@code dOut}
   */
  public static void backward(INDArray dOut, double rate, INDArray mask, INDArray dx) {
    requireRate(rate);
    if (dx == null) {
      return;
    }
    Require.sameShape(dx, dOut, "Dropout input gradient");
    if (rate == 0) {
      copy(dOut, dx);
      return;
    }
    Require.sameShape(mask, dOut, "Dropout mask");
    scaleKept(dOut, mask, 1 - rate, dx);
  }

  /**
   * {@code out = x * mask / keep}: one Java pass over contiguous arrays of one type, where libnd4j
   * took two ops and 0.5-1 ms over CnnFlat's 64x3136 values.
   */
  private static void scaleKept(INDArray x, INDArray mask, double keep, INDArray out) {
    if (!Elements.accepts(x) || !Elements.accepts(mask) || !Elements.accepts(out)
        || x.dataType() != mask.dataType() || x.dataType() != out.dataType()) {
      Nd4j.exec(new MulOp(x, mask, out));
      Nd4j.exec(new ScalarDivision(out, null, out, keep));
      return;
    }
    Elements values = Elements.of(x);
    Elements kept = Elements.of(mask);
    Elements scaled = Elements.of(out);
    if (values instanceof Elements.Floats in && kept instanceof Elements.Floats m
        && scaled instanceof Elements.Floats result) {
      scaleKept(in, m, (float) keep, result);
      return;
    }
    for (long i = 0, n = values.length(); i < n; i++) {
      scaled.set(i, values.get(i) * kept.get(i) / keep);
    }
  }

  /** {@link #scaleKept(INDArray, INDArray, double, INDArray)} in float, a chunk at a time. */
  private static void scaleKept(
      Elements.Floats x, Elements.Floats mask, float keep, Elements.Floats out) {
    float[][] chunks = CHUNKS.get();
    float[] values = chunks[0];
    float[] kept = chunks[1];
    for (int start = 0, n = (int) x.length(); start < n; start += CHUNK) {
      int length = Math.min(CHUNK, n - start);
      x.read(start, values, length);
      mask.read(start, kept, length);
      for (int i = 0; i < length; i++) {
        values[i] = values[i] * kept[i] / keep;
      }
      out.write(start, values, length);
    }
  }

  private static void copy(INDArray from, INDArray to) {
    if (to != from) {
      to.assign(from);
    }
  }

  private static void requireRate(double rate) {
    // A rate of 1 would drop everything and scale by infinity.
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
    }
  }
}
