package dev.kiln.runtime;

import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' {@code class_weight} turned into per-sample weights, batch by batch: each sample weighs
 * what its true class weighs (1 for classes without a weight). Only for a model with one output
 * that classifies one class per sample, which is where Keras accepts class weights too.
 */
final class ClassWeights {

  private final OutputSpec output;
  private final double[] byClass;

  private ClassWeights(OutputSpec output, double[] byClass) {
    this.output = output;
    this.byClass = byClass;
  }

  /** Checks that {@code model} can take class weights and that every class named is one of its. */
  static ClassWeights of(ModelSpec spec, Map<Integer, Double> weights) {
    if (spec.outputs().size() != 1) {
      throw new IllegalArgumentException(
          "class weights need a model with one output, as in Keras; model " + spec.name()
              + " has " + spec.outputs().size() + " "
              + spec.outputs().stream().map(OutputSpec::name).toList()
              + "; weigh whole outputs with setLossWeight instead");
    }
    OutputSpec output = spec.outputs().get(0);
    String what = "class weights need one class per sample, but output '" + output.name() + "'";
    if (output.shape().length != 1) {
      throw new IllegalArgumentException(
          what + " has shape " + Shapes.withBatch(output.shape()) + ", several predictions per"
              + " sample (Keras refuses targets of 3 or more dimensions too)");
    }
    long units = output.shape()[0];
    int classes = switch (output.loss()) {
      case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> Math.toIntExact(units);
      case BINARY_CROSSENTROPY -> {
        if (units != 1) {
          throw new IllegalArgumentException(
              what + " has " + units + " independent yes/no units (multi-label); class weights"
                  + " apply to one binary unit, or to a softmax output");
        }
        yield 2;
      }
      default -> throw new IllegalArgumentException(
          what + " is trained with " + output.loss() + ", a regression loss without classes;"
              + " class weights apply to cross-entropy outputs");
    };
    double[] byClass = new double[classes];
    Arrays.fill(byClass, 1.0);
    weights.forEach((label, weight) -> {
      if (label >= classes) {
        throw new IllegalArgumentException(
            "a class weight is given for class " + label + " but output '" + output.name()
                + "' has " + classes + " classes, 0 to " + (classes - 1));
      }
      byClass[label] = weight;
    });
    return new ClassWeights(output, byClass);
  }

  /** The weight of each sample of a batch, by the class of its target, in the target's type. */
  INDArray sampleWeights(INDArray target) {
    int samples = Math.toIntExact(target.size(0));
    long[] classes = switch (output.loss()) {
      case CATEGORICAL_CROSSENTROPY -> Nd4j.argMax(target, 1).toLongVector();
      default -> roundedLabels(target.reshape(samples));
    };
    double[] weights = new double[samples];
    for (int i = 0; i < samples; i++) {
      long label = classes[i];
      weights[i] = label >= 0 && label < byClass.length ? byClass[(int) label] : 1.0;
    }
    return Nd4j.createFromArray(weights).castTo(target.dataType());
  }

  /** Class indices, or binary targets rounded to 0 or 1, half to even as Keras rounds them. */
  private static long[] roundedLabels(INDArray labels) {
    double[] values = labels.toDoubleVector();
    long[] rounded = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      rounded[i] = (long) Math.rint(values[i]);
    }
    return rounded;
  }
}
