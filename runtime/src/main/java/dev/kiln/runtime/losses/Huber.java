package dev.kiln.runtime.losses;

import dev.kiln.runtime.kernels.Reductions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' Huber loss with {@code delta = 1}, averaged over every element: {@code r^2 / 2} for a
 * residual {@code |r| <= 1}, {@code |r| - 1/2} beyond.
 */
public final class Huber {

  private Huber() {}

  /**
   * With {@code c = clip(r, -1, 1)} the loss of a residual is {@code c^2 / 2 + |r| - |c|}, and
   * its derivative is {@code c}: three sums over one buffer.
   *
   * @param p the output
   * @param y the targets, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dp written with {@code weight * clip(p - y, -1, 1) / n}
   * @return the mean loss, unweighted
   */
  public static double compute(INDArray p, INDArray y, double weight, INDArray dp) {
    SampleWeights.requireNone("Huber");
    long n = p.length();
    Nd4j.exec(new SubOp(p, y, dp));
    double absolute = Reductions.sumOfAbsolutes(dp);
    Clip.into(dp, -1, 1, dp);
    double clippedSquares = Reductions.sumOfSquares(dp);
    double clippedAbsolute = Reductions.sumOfAbsolutes(dp);
    double loss = (clippedSquares / 2 + absolute - clippedAbsolute) / n;
    dp.muli(weight / n);
    return loss;
  }
}
