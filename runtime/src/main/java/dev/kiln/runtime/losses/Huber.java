package dev.kiln.runtime.losses;

import dev.kiln.runtime.kernels.Reductions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' Huber loss, averaged over every element: {@code r^2 / 2} for a residual {@code |r| <=
 * delta}, {@code delta (|r| - delta / 2)} beyond. Within {@link SampleWeights#during} each
 * sample's terms are weighted.
 */
public final class Huber {

  /** Keras' default {@code delta}. */
  public static final double DEFAULT_DELTA = 1.0;

  private Huber() {}

  /** With Keras' default {@code delta = 1}. */
  public static double compute(INDArray p, INDArray y, double weight, INDArray dp) {
    return compute(p, y, weight, dp, DEFAULT_DELTA);
  }

  /**
   * With {@code c = clip(r, -delta, delta)} the loss of a residual is {@code c^2 / 2 + delta (|r|
   * - |c|)}, and its derivative is {@code c}: three sums over one buffer.
   *
   * @param p the output
   * @param y the targets, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dp written with {@code weight * clip(p - y, -delta, delta) / n}
   * @param delta where the loss turns from squared to absolute; positive
   * @return the mean loss, unweighted by the loss weight
   */
  public static double compute(INDArray p, INDArray y, double weight, INDArray dp, double delta) {
    if (!(delta > 0) || Double.isInfinite(delta)) {
      throw new IllegalArgumentException(
          "Huber's delta must be a positive number, got " + delta + "; Keras' default is 1");
    }
    if (SampleWeights.current() != null) {
      return LossRows.of(p, y, dp).meanOfResiduals(weight,
          r -> {
            double clipped = Math.max(-delta, Math.min(delta, r));
            return clipped * clipped / 2 + delta * (Math.abs(r) - Math.abs(clipped));
          },
          r -> Math.max(-delta, Math.min(delta, r)));
    }
    long n = p.length();
    Nd4j.exec(new SubOp(p, y, dp));
    double absolute = Reductions.sumOfAbsolutes(dp);
    Clip.into(dp, -delta, delta, dp);
    double clippedSquares = Reductions.sumOfSquares(dp);
    double clippedAbsolute = Reductions.sumOfAbsolutes(dp);
    double loss = (clippedSquares / 2 + delta * (absolute - clippedAbsolute)) / n;
    dp.muli(weight / n);
    return loss;
  }
}
