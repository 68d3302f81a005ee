package dev.kiln.runtime;

import dev.kiln.DType;
import dev.kiln.Loss;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks arrays handed to a model against its inputs and outputs, with messages that name the
 * input or output, the shape the summary prints and the shape given.
 */
final class DataChecks {

  private DataChecks() {}

  /** Checks an input array; returns it, converted to {@code modelType} if it is floating point. */
  static INDArray input(InputSpec spec, INDArray array, DataType modelType) {
    if (array == null) {
      throw new IllegalArgumentException("input '" + spec.name() + "' is null");
    }
    String what = "input '" + spec.name() + "'";
    checkSampleShape(what, spec.shape(), array);
    if (spec.dtype() == DType.INT32) {
      if (!array.dataType().isIntType()) {
        throw new IllegalArgumentException(
            what + " holds INT32 token ids but was given a " + array.dataType() + " array;"
                + " convert it with castTo(DataType.INT) after checking that its values are"
                + " whole numbers");
      }
      if (spec.tokenLimit() > 0) {
        ValueChecks.indices(what, array, spec.tokenLimit(), "token ids (the Embedding's inputDim)");
      }
      return array;
    }
    ValueChecks.finite(what, array);
    return array.dataType() == modelType ? array : NdArrays.copy(array, modelType);
  }

  /** Checks a target array for {@code spec}; returns it, converted to {@code modelType}. */
  static INDArray target(OutputSpec spec, INDArray array, DataType modelType) {
    String what = "target for output '" + spec.name() + "'";
    if (array == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    if (spec.loss() == Loss.SPARSE_CATEGORICAL_CROSSENTROPY) {
      checkSampleShape(what + " (class indices)", sparseTargetShape(spec.shape(), array), array);
      long classes = spec.shape()[spec.shape().length - 1];
      ValueChecks.indices(what, array, classes, "class indices");
    } else {
      checkSampleShape(what, spec.shape(), array);
      ValueChecks.finite(what, array);
    }
    return array.dataType() == modelType ? array : NdArrays.copy(array, modelType);
  }

  /**
   * Checks sample weights (Keras' {@code sample_weight}) for {@code batch} samples: one finite
   * weight {@code >= 0} each, as a vector {@code (n)} or a column {@code (n, 1)}; returns them as
   * a vector of {@code modelType}, or null for none.
   */
  static INDArray sampleWeights(INDArray weights, long batch, String firstName, DataType modelType) {
    if (weights == null) {
      return null;
    }
    boolean oneEach = weights.rank() == 1 || weights.rank() == 2 && weights.size(1) == 1;
    if (!oneEach || !weights.dataType().isFPType() && !weights.dataType().isIntType()) {
      throw new IllegalArgumentException(
          "sample weights must be numbers, one per sample: shape (" + batch + ",) or (" + batch
              + ", 1), but were given " + weights.dataType() + " " + Shapes.of(weights.shape()));
    }
    if (weights.size(0) != batch) {
      throw new IllegalArgumentException(
          "sample weights have " + weights.size(0) + " values but " + firstName + " has " + batch
              + " samples; give one weight per sample");
    }
    INDArray vector = NdArrays.copy(weights.reshape(batch), modelType);
    for (long i = 0; i < batch; i++) {
      double weight = vector.getDouble(i);
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "sample weight of sample " + i + " of " + batch + " is " + weight + "; weights must be"
                + " finite and >= 0 (0 leaves a sample out of the loss)");
      }
    }
    return vector;
  }

  /** Every array must hold {@code batch} samples. */
  static void sameBatch(String what, INDArray array, long batch, String firstName) {
    if (array.size(0) != batch) {
      throw new IllegalArgumentException(
          what
              + " has "
              + array.size(0)
              + " samples but "
              + firstName
              + " has "
              + batch
              + "; every input and target needs one row per sample");
    }
  }

  /** Sparse targets hold one index per row: the output shape without its class axis, or 1. */
  private static long[] sparseTargetShape(long[] outputShape, INDArray array) {
    long[] withoutClasses = Arrays.copyOf(outputShape, outputShape.length - 1);
    if (array.rank() == outputShape.length + 1 && array.size(array.rank() - 1) == 1) {
      long[] withUnitAxis = Arrays.copyOf(outputShape, outputShape.length);
      withUnitAxis[outputShape.length - 1] = 1;
      return withUnitAxis;
    }
    return withoutClasses;
  }

  private static void checkSampleShape(String what, long[] expected, INDArray array) {
    boolean matches = array.rank() == expected.length + 1;
    for (int axis = 0; matches && axis < expected.length; axis++) {
      matches = expected[axis] < 0 || expected[axis] == array.size(axis + 1);
    }
    if (!matches) {
      throw new IllegalArgumentException(
          what
              + " expects shape "
              + Shapes.withBatch(expected)
              + " but was given "
              + Shapes.of(array.shape())
              + "; the first axis is the sample axis");
    }
  }
}
