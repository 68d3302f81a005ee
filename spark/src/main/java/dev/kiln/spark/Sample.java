package dev.kiln.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training sample for a distributed fit: one flat array per model input and one per output
 * target, in declaration order, each laid out row-major as the input's or target's shape (a
 * 28x28x1 image is 784 values). Plain arrays travel cheaply through Spark; never INDArrays.
 *
 * @param inputs one array per model input
 * @param targets one array per model output
 */
public record Sample(double[][] inputs, double[][] targets) implements Serializable {

  public Sample {
    if (inputs == null || targets == null) {
      throw new IllegalArgumentException("a sample needs its inputs and its targets, not null");
    }
  }

  /** A sample of a model with one input and one output. */
  public static Sample of(double[] input, double[] target) {
    return new Sample(new double[][] {input}, new double[][] {target});
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Sample sample
        && Arrays.deepEquals(inputs, sample.inputs)
        && Arrays.deepEquals(targets, sample.targets);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.deepHashCode(inputs) + Arrays.deepHashCode(targets);
  }

  @Override
  public String toString() {
    return "Sample[" + inputs.length + " inputs, " + targets.length + " targets]";
  }
}
