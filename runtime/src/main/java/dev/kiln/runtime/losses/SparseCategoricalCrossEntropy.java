package dev.kiln.runtime.losses;

import dev.kiln.runtime.kernels.Reductions;
import dev.kiln.runtime.kernels.Scratch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cross-entropy against integer class indices: {@code -log(p[label])}, averaged over samples
 * (and time steps). Within {@link SampleWeights#during} each sample's terms are weighted.
 */
public final class SparseCategoricalCrossEntropy {

  private SparseCategoricalCrossEntropy() {}

  /**
   * The loss of a softmax output, with the gradient taken with respect to the softmax's input.
   *
   * @param p the softmax output, {@code (..., classes)}
   * @param labels class indices, {@code (...)} or {@code (..., 1)}, integer or whole floats
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dLogits written with {@code weight * (p - oneHot(labels)) / n}; scratch before that
   * @return the mean loss, unweighted
   */
  public static double withSoftmax(INDArray p, INDArray labels, double weight, INDArray dLogits) {
    long classes = p.size(p.rank() - 1);
    long rows = p.length() / classes;
    // A slot of its own: losses run between kernels that use the lower slots.
    INDArray oneHot = Scratch.like(p, 9);
    writeOneHot(labels.reshape(rows), oneHot.reshape(rows, classes));
    Clip.into(p, CategoricalCrossEntropy.EPSILON, 1 - CategoricalCrossEntropy.EPSILON, dLogits);
    Nd4j.exec(new Log(dLogits, dLogits));
    Nd4j.exec(new MulOp(dLogits, oneHot, dLogits));
    SampleWeights.scale(dLogits);
    double loss = -Reductions.sum(dLogits) / rows;

    Nd4j.exec(new SubOp(p, oneHot, dLogits));
    dLogits.muli(weight / rows);
    SampleWeights.scale(dLogits);
    return loss;
  }

  /**
   * Keras' {@code from_logits=True}: the loss of raw scores, softmax applied here as a
   * log-softmax, and the gradient {@code softmax(z) - oneHot(labels)} over {@code n}.
   */
  public static double fromLogits(INDArray z, INDArray labels, double weight, INDArray dz) {
    long classes = z.size(z.rank() - 1);
    long rows = z.length() / classes;
    // A slot of its own: losses run between kernels that use the lower slots.
    INDArray oneHot = Scratch.like(z, 9);
    writeOneHot(labels.reshape(rows), oneHot.reshape(rows, classes));
    Nd4j.exec(
        DynamicCustomOp.builder("log_softmax")
            .addInputs(z)
            .addOutputs(dz)
            .addIntegerArguments(z.rank() - 1)
            .build());
    Nd4j.exec(new MulOp(dz, oneHot, dz));
    SampleWeights.scale(dz);
    double loss = -Reductions.sum(dz) / rows;

    Nd4j.exec(new SoftMax(z, dz, z.rank() - 1));
    Nd4j.exec(new SubOp(dz, oneHot, dz));
    dz.muli(weight / rows);
    SampleWeights.scale(dz);
    return loss;
  }

  /** Writes one row per index, 1 at the index and 0 elsewhere, into {@code out (rows, classes)}. */
  private static void writeOneHot(INDArray indices, INDArray out) {
    Nd4j.exec(new OneHot(indices, out, (int) out.size(1), -1, 1.0, 0.0));
  }
}
