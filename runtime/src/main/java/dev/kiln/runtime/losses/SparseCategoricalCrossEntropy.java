package dev.kiln.runtime.losses;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.PowPairwise;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cross-entropy against integer class indices: {@code -log(p[label])}, averaged over samples
 * (and time steps).
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
    INDArray indices = labels.reshape(rows);
    INDArray oneHot = dLogits.reshape(rows, classes);
    writeOneHot(indices, oneHot);
    // p ^ oneHot is p at the label and 1 elsewhere, so its log sums to the log-likelihood.
    Nd4j.exec(new PowPairwise(p, dLogits, dLogits));
    Clip.into(dLogits, CategoricalCrossEntropy.EPSILON, 1.0, dLogits);
    Nd4j.exec(new Log(dLogits, dLogits));
    double loss = -Reductions.sum(dLogits) / rows;

    writeOneHot(indices, oneHot);
    Nd4j.exec(new SubOp(p, dLogits, dLogits));
    dLogits.muli(weight / rows);
    return loss;
  }

  /** Writes one row per index, 1 at the index and 0 elsewhere, into {@code out (rows, classes)}. */
  private static void writeOneHot(INDArray indices, INDArray out) {
    Nd4j.exec(new OneHot(indices, out, (int) out.size(1), -1, 1.0, 0.0));
  }
}
