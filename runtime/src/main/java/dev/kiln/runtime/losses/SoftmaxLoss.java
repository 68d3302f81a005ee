package dev.kiln.runtime.losses;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The categorical cross-entropy of a softmax output and its gradient, in one Java pass over the
 * arrays' native memory: for the small outputs of classifiers the eight ND4J ops it replaces cost
 * more (about 19 KB of Java heap and tens of microseconds each) than the arithmetic.
 */
final class SoftmaxLoss {

  /** The largest output, in elements, worth the Java pass. */
  private static final long MAX_LENGTH = 1 << 16;

  private SoftmaxLoss() {}

  /** Whether {@link #of} handles these arrays; {@code sampleWeights} may be null. */
  static boolean suits(INDArray p, INDArray y, INDArray dLogits, INDArray sampleWeights) {
    return p.length() <= MAX_LENGTH
        && Elements.accepts(p)
        && Elements.accepts(y)
        && Elements.accepts(dLogits)
        && (sampleWeights == null || Elements.accepts(sampleWeights));
  }

  /**
   * As {@link CategoricalCrossEntropy#withSoftmax}: returns the mean loss, unweighted by {@code
   * weight}, and writes {@code weight * (p - y) / n}, each sample's terms scaled by its weight.
   */
  static double of(
      INDArray p, INDArray y, double weight, INDArray dLogits, INDArray sampleWeights,
      double epsilon) {
    Elements probabilities = Elements.of(p);
    Elements targets = Elements.of(y);
    Elements gradient = Elements.of(dLogits);
    Elements samples = sampleWeights == null ? null : Elements.of(sampleWeights);
    long classes = p.size(p.rank() - 1);
    long rows = p.length() / classes;
    if (samples != null && samples.length() != rows) {
      throw new IllegalStateException(
          samples.length() + " sample weights for a batch of " + rows + " samples");
    }
    double scale = weight / rows;
    double total = 0;
    for (long row = 0; row < rows; row++) {
      double sample = samples == null ? 1 : samples.get(row);
      double rowLoss = 0;
      for (long i = row * classes, end = i + classes; i < end; i++) {
        double probability = probabilities.get(i);
        double target = targets.get(i);
        double clipped = Math.min(Math.max(probability, epsilon), 1 - epsilon);
        rowLoss += target * Math.log(clipped);
        gradient.set(i, (probability - target) * scale * sample);
      }
      total += sample * rowLoss;
    }
    return -total / rows;
  }
}
