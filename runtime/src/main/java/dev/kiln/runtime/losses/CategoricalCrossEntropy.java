package dev.kiln.runtime.losses;

import dev.kiln.runtime.kernels.Reductions;
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
    long rows = p.length() / p.size(p.rank() - 1);
    INDArray sampleWeights = SampleWeights.current();
    if (SoftmaxLoss.suits(p, y, dLogits, sampleWeights)) {
      return SoftmaxLoss.of(p, y, weight, dLogits, sampleWeights, EPSILON);
    }
    Clip.into(p, EPSILON, 1 - EPSILON, dLogits);
    Nd4j.exec(new Log(dLogits, dLogits));
    Nd4j.exec(new MulOp(dLogits, y, dLogits));
    SampleWeights.scale(dLogits);
    double loss = -Reductions.sum(dLogits) / rows;

    Nd4j.exec(new SubOp(p, y, dLogits));
    dLogits.muli(weight / rows);
    SampleWeights.scale(dLogits);
    return loss;
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
    long rows = z.length() / z.size(z.rank() - 1);
    Nd4j.exec(
        DynamicCustomOp.builder("log_softmax")
            .addInputs(z)
            .addOutputs(dz)
            .addIntegerArguments(z.rank() - 1)
            .build());
    Nd4j.exec(new MulOp(dz, y, dz));
    SampleWeights.scale(dz);
    double loss = -Reductions.sum(dz) / rows;

    Nd4j.exec(new SoftMax(z, dz, z.rank() - 1));
    Nd4j.exec(new SubOp(dz, y, dz));
    dz.muli(weight / rows);
    SampleWeights.scale(dz);
    return loss;
  }
}
