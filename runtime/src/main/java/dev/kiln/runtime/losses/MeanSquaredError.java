package dev.kiln.runtime.losses;

import dev.kiln.runtime.kernels.Reductions;
import dev.kiln.runtime.kernels.SquaredResiduals;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code mean((p - y)^2)} over every element. Within {@link SampleWeights#during} each sample's
 * terms are weighted.
 *
 * <p>Contiguous arrays of one type take one pass ({@link SquaredResiduals}); others libnd4j's
 * subtraction, squared norm and scaling.
 */
public final class MeanSquaredError {

  private MeanSquaredError() {}

  /**
   * @param p the output
   * @param y the targets, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dp written with {@code weight * 2 (p - y) / n}
   * @return the mean loss, unweighted
   */
  public static double compute(INDArray p, INDArray y, double weight, INDArray dp) {
    if (SampleWeights.current() != null) {
      return LossRows.of(p, y, dp).meanOfResiduals(weight, r -> r * r, r -> 2 * r);
    }
    long n = p.length();
    if (SquaredResiduals.take(p, y, dp)) {
      return SquaredResiduals.sumAndGradient(p, y, 2 * weight / n, dp) / n;
    }
    Nd4j.exec(new SubOp(p, y, dp));
    double loss = Reductions.sumOfSquares(dp) / n;
    dp.muli(2 * weight / n);
    return loss;
  }
}
