package dev.kiln.runtime.losses;

import dev.kiln.runtime.kernels.Reductions;
import dev.kiln.runtime.kernels.Scratch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cross-entropy against one-hot (or soft) targets, {@code -sum(y * log(p))} over the last axis,
 * averaged over all other axes; probabilities are clipped to {@code [1e-7, 1 - 1e-7]} as Keras
 * does. Within {@link SampleWeights#during} each sample's terms are weighted.
 */
public final class CategoricalCrossEntropy {

  static final double EPSILON = 1e-7;

  private CategoricalCrossEntropy() {}

  /**
   * The loss of a softmax output, with the gradient taken with respect to the softmax's input,
   * where it simplifies to {@code (p - y) / n}.
   *
   * @param p the softmax output, {@code (..., classes)}
   * @param y the targets, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dLogits written with {@code weight * (p - y) / n}; used as scratch before that
   * @return the mean loss, unweighted
   */
  public static double withSoftmax(INDArray p, INDArray y, double weight, INDArray dLogits) {
    return withSoftmax(p, y, weight, dLogits, 0);
  }

  /**
   * As {@link #withSoftmax(INDArray, INDArray, double, INDArray)}, against targets smoothed by
   * {@code smoothing} (Keras' {@code label_smoothing}): {@code y (1 - s) + s / classes}.
   */
  public static double withSoftmax(
      INDArray p, INDArray y, double weight, INDArray dLogits, double smoothing) {
    LabelSmoothing.check(smoothing);
    long classes = p.size(p.rank() - 1);
    long rows = p.length() / classes;
    INDArray sampleWeights = SampleWeights.current();
    if (smoothing == 0 && SoftmaxLoss.suits(p, y, dLogits, sampleWeights)) {
      return SoftmaxLoss.of(p, y, weight, dLogits, sampleWeights, EPSILON);
    }
    Clip.into(p, EPSILON, 1 - EPSILON, dLogits);
    Nd4j.exec(new Log(dLogits, dLogits));
    SampleWeights.scale(dLogits);
    return smoothedLossAndGradient(p, y, weight, dLogits, smoothing, classes, rows);
  }

  /**
   * Keras' {@code from_logits=True}: the loss of raw scores, with the softmax applied here (as a
   * log-softmax, which does not overflow), and the gradient {@code softmax(z) - y} over {@code n}.
   *
   * @param z the scores, {@code (..., classes)}
   * @param y the targets, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dz written with {@code weight * (softmax(z) - y) / n}; used as scratch before that
   * @return the mean loss, unweighted
   */
  public static double fromLogits(INDArray z, INDArray y, double weight, INDArray dz) {
    return fromLogits(z, y, weight, dz, 0);
  }

  /** As {@link #fromLogits(INDArray, INDArray, double, INDArray)}, with label smoothing. */
  public static double fromLogits(
      INDArray z, INDArray y, double weight, INDArray dz, double smoothing) {
    LabelSmoothing.check(smoothing);
    long classes = z.size(z.rank() - 1);
    long rows = z.length() / classes;
    Nd4j.exec(
        DynamicCustomOp.builder("log_softmax")
            .addInputs(z)
            .addOutputs(dz)
            .addIntegerArguments(z.rank() - 1)
            .build());
    SampleWeights.scale(dz);
    INDArray p = Scratch.like(z, 9);
    Nd4j.exec(new SoftMax(z, p, z.rank() - 1));
    return smoothedLossAndGradient(p, y, weight, dz, smoothing, classes, rows);
  }

  /**
   * With the weighted log-probabilities in {@code buffer}: the mean loss against the smoothed
   * targets, and {@code weight * (p - y') / rows} written into {@code buffer}.
   */
  private static double smoothedLossAndGradient(
      INDArray p, INDArray y, double weight, INDArray buffer, double smoothing, long classes,
      long rows) {
    double plain = smoothing == 0 ? 0 : Reductions.sum(buffer);
    Nd4j.exec(new MulOp(buffer, y, buffer));
    double targeted = Reductions.sum(buffer);
    double loss = -LabelSmoothing.smoothedSum(targeted, plain, smoothing, classes) / rows;

    Nd4j.exec(new SubOp(p, y, buffer));
    if (smoothing != 0) {
      LabelSmoothing.shiftGradient(buffer, y, smoothing, classes);
    }
    buffer.muli(weight / rows);
    SampleWeights.scale(buffer);
    return loss;
  }
}
