package dev.kiln.runtime.losses;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss on a sequence output that carries a mask, as Keras 3 computes it: the mask multiplies
 * the sample weights, and the mean divides by the number of unmasked steps, so padded steps add
 * nothing to the loss and get no gradient. (Keras' {@code apply_mask}: each unmasked step weighs
 * {@code total / (valid + 1e-7)} times its sample weight, and the loss is the mean over all
 * {@code total} steps.)
 *
 * <p>It runs the output's own loss on the steps as rows of one batch, {@code (n * steps, ...)},
 * with one weight per step through {@link SampleWeights}.
 */
public final class MaskedLoss {

  /** Keras' {@code backend.epsilon()}, which keeps an all-masked batch finite. */
  static final double EPSILON = 1e-7;

  /** The output's loss, over steps as rows. */
  @FunctionalInterface
  public interface Rows {
    /**
     * @param p the output, {@code (n * steps, ...)}
     * @param y the targets, as many rows
     * @param dp written with the gradient
     * @return the loss
     */
    double compute(INDArray p, INDArray y, INDArray dp);
  }

  private MaskedLoss() {}

  /**
   * @param mask {@code (n, steps)}, 1 for a step that counts
   * @param stepWeights scratch, {@code (n, steps)}: written with each step's weight
   * @param p the output, {@code (n, steps, ...)}
   * @param y the targets, {@code (n, steps, ...)}, or {@code (n, steps)} class indices
   * @param dp written with the loss gradient, {@code (n, steps, ...)}
   * @param loss the output's loss
   * @return the loss, with masked steps left out
   */
  public static double overUnmaskedSteps(INDArray mask, INDArray stepWeights, INDArray p,
      INDArray y, INDArray dp, Rows loss) {
    long n = p.size(0);
    long steps = p.size(1);
    if (mask.size(0) != n || mask.size(1) != steps || stepWeights.length() != mask.length()) {
      throw new IllegalArgumentException("a mask of " + mask.size(0) + " x " + mask.size(1)
          + " steps for an output of " + n + " x " + steps);
    }
    INDArray sampleWeights = SampleWeights.current();
    if (sampleWeights != null && sampleWeights.length() != n) {
      throw new IllegalStateException(
          sampleWeights.length() + " sample weights for a batch of " + n + " samples");
    }
    Elements counts = Elements.of(mask);
    Elements weights = Elements.of(stepWeights);
    double valid = 0;
    for (long i = 0, total = counts.length(); i < total; i++) {
      valid += counts.get(i);
    }
    double scale = n * steps / (valid + EPSILON);
    for (long sample = 0, i = 0; sample < n; sample++) {
      double sampleWeight = sampleWeights == null ? 1 : sampleWeights.getDouble(sample);
      for (long t = 0; t < steps; t++, i++) {
        weights.set(i, counts.get(i) * sampleWeight * scale);
      }
    }
    return SampleWeights.during(stepWeights.reshape(n * steps),
        () -> loss.compute(rows(p), rows(y), rows(dp)));
  }

  /** {@code (n, steps, ...)} as {@code (n * steps, ...)}, a view. */
  private static INDArray rows(INDArray sequence) {
    long[] shape = sequence.shape();
    long[] folded = new long[shape.length - 1];
    folded[0] = shape[0] * shape[1];
    System.arraycopy(shape, 2, folded, 1, shape.length - 2);
    return sequence.reshape('c', folded);
  }
}
