package dev.kiln.runtime.losses;

import dev.kiln.runtime.kernels.Reductions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.OneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cross-entropy of independent yes/no outputs, {@code -(y log p + (1 - y) log(1 - p))}, averaged
 * over every element; probabilities are clipped to {@code [1e-7, 1 - 1e-7]} as Keras does.
 * Within {@link SampleWeights#during} each sample's terms are weighted.
 */
public final class BinaryCrossEntropy {

  private BinaryCrossEntropy() {}

  /**
   * The loss of a sigmoid output, with the gradient taken with respect to the sigmoid's input,
   * where it simplifies to {@code (p - y) / n}.
   *
   * @param p the sigmoid output
   * @param y the targets in [0, 1], same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dLogits written with {@code weight * (p - y) / n}; used as scratch before that
   * @return the mean loss, unweighted
   */
  public static double withSigmoid(INDArray p, INDArray y, double weight, INDArray dLogits) {
    return withSigmoid(p, y, weight, dLogits, 0);
  }

  /**
   * As {@link #withSigmoid(INDArray, INDArray, double, INDArray)}, against targets smoothed by
   * {@code smoothing} (Keras' {@code label_smoothing}): {@code y (1 - s) + s / 2}.
   */
  public static double withSigmoid(
      INDArray p, INDArray y, double weight, INDArray dLogits, double smoothing) {
    LabelSmoothing.check(smoothing);
    long n = p.length();
    double eps = CategoricalCrossEntropy.EPSILON;
    // sum(y' log p)
    Clip.into(p, eps, 1 - eps, dLogits);
    Nd4j.exec(new Log(dLogits, dLogits));
    SampleWeights.scale(dLogits);
    double logP = smoothing == 0 ? 0 : Reductions.sum(dLogits);
    Nd4j.exec(new MulOp(dLogits, y, dLogits));
    double yLogP = LabelSmoothing.smoothedSum(Reductions.sum(dLogits), logP, smoothing, 2);
    // sum((1 - y') log(1 - p)) = sum(log(1 - p)) - sum(y' log(1 - p))
    Clip.into(p, eps, 1 - eps, dLogits);
    Nd4j.exec(new OneMinus(dLogits, dLogits));
    Nd4j.exec(new Log(dLogits, dLogits));
    SampleWeights.scale(dLogits);
    double logOneMinusP = Reductions.sum(dLogits);
    Nd4j.exec(new MulOp(dLogits, y, dLogits));
    double yLogOneMinusP =
        LabelSmoothing.smoothedSum(Reductions.sum(dLogits), logOneMinusP, smoothing, 2);
    double loss = -(yLogP + logOneMinusP - yLogOneMinusP) / n;

    Nd4j.exec(new SubOp(p, y, dLogits));
    if (smoothing != 0) {
      LabelSmoothing.shiftGradient(dLogits, y, smoothing, 2);
    }
    dLogits.muli(weight / n);
    SampleWeights.scale(dLogits);
    return loss;
  }

  /**
   * Keras' {@code from_logits=True}: {@code max(z, 0) - z y + log(1 + exp(-|z|))}, which cannot
   * overflow, averaged over every element; the gradient is {@code sigmoid(z) - y} over {@code n}.
   *
   * @param z the scores
   * @param y the targets in [0, 1], same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dz written with {@code weight * (sigmoid(z) - y) / n}; used as scratch before that
   * @return the mean loss, unweighted
   */
  public static double fromLogits(INDArray z, INDArray y, double weight, INDArray dz) {
    return fromLogits(z, y, weight, dz, 0);
  }

  /** As {@link #fromLogits(INDArray, INDArray, double, INDArray)}, with label smoothing. */
  public static double fromLogits(
      INDArray z, INDArray y, double weight, INDArray dz, double smoothing) {
    LabelSmoothing.check(smoothing);
    long n = z.length();
    Nd4j.exec(new Abs(z, dz));
    dz.muli(-1);
    Nd4j.exec(new Exp(dz, dz));
    Nd4j.exec(new Log1p(dz, dz));
    SampleWeights.scale(dz);
    double softTail = Reductions.sum(dz);
    Nd4j.exec(new RectifiedLinear(z, dz, 0.0));
    SampleWeights.scale(dz);
    double positivePart = Reductions.sum(dz);
    double plain = 0;
    if (smoothing != 0) {
      dz.assign(z);
      SampleWeights.scale(dz);
      plain = Reductions.sum(dz);
    }
    Nd4j.exec(new MulOp(z, y, dz));
    SampleWeights.scale(dz);
    double agreement = LabelSmoothing.smoothedSum(Reductions.sum(dz), plain, smoothing, 2);
    double loss = (positivePart - agreement + softTail) / n;

    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(z, dz));
    Nd4j.exec(new SubOp(dz, y, dz));
    if (smoothing != 0) {
      LabelSmoothing.shiftGradient(dz, y, smoothing, 2);
    }
    dz.muli(weight / n);
    SampleWeights.scale(dz);
    return loss;
  }
}
