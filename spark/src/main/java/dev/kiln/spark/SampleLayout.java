package dev.kiln.spark;

import dev.kiln.DType;
import dev.kiln.Loss;
import dev.kiln.runtime.InputSpec;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.OutputSpec;
import java.io.Serializable;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The shape of one sample of a model: the length and shape of each input and target row, and the
 * data type of each batch array. Travels with the tasks, so executors build batches without the
 * model's spec.
 */
final class SampleLayout implements Serializable {

  private final String model;
  private final String[] names;
  private final long[][] shapes;
  private final int[] lengths;
  private final String[] dataTypes;
  private final int inputCount;

  private SampleLayout(
      String model, String[] names, long[][] shapes, String[] dataTypes, int inputCount) {
    this.model = model;
    this.names = names;
    this.shapes = shapes;
    this.dataTypes = dataTypes;
    this.inputCount = inputCount;
    this.lengths = new int[shapes.length];
    for (int i = 0; i < shapes.length; i++) {
      lengths[i] = (int) Arrays.stream(shapes[i]).reduce(1, (a, b) -> a * b);
    }
  }

  static SampleLayout of(ModelSpec spec, DataType modelType) {
    int arrays = spec.inputs().size() + spec.outputs().size();
    String[] names = new String[arrays];
    long[][] shapes = new long[arrays][];
    String[] types = new String[arrays];
    int i = 0;
    for (InputSpec input : spec.inputs()) {
      if (Arrays.stream(input.shape()).anyMatch(size -> size < 0)) {
        throw new IllegalArgumentException(
            "input '" + input.name() + "' has a variable length; training on Spark needs fixed"
                + " shapes: pad the sequences to one length and declare it");
      }
      names[i] = "input '" + input.name() + "'";
      shapes[i] = input.shape().clone();
      types[i++] = (input.dtype() == DType.INT32 ? DataType.INT32 : modelType).name();
    }
    for (OutputSpec output : spec.outputs()) {
      long[] shape = output.shape();
      if (Arrays.stream(shape).anyMatch(size -> size < 0)) {
        throw new IllegalArgumentException(
            "output '" + output.name() + "' has a variable length; training on Spark needs fixed"
                + " shapes");
      }
      if (output.loss() == Loss.SPARSE_CATEGORICAL_CROSSENTROPY) {
        shape = Arrays.copyOf(shape, shape.length - 1); // one class index per sample
      }
      names[i] = "target of output '" + output.name() + "'";
      shapes[i] = shape;
      types[i++] = modelType.name();
    }
    return new SampleLayout(spec.name(), names, shapes, types, spec.inputs().size());
  }

  int inputCount() {
    return inputCount;
  }

  int arrayCount() {
    return shapes.length;
  }

  /** Values per sample of array {@code index} (inputs first, then targets). */
  int length(int index) {
    return lengths[index];
  }

  /** The shape of a batch of {@code batch} samples of array {@code index}. */
  long[] batchShape(int index, long batch) {
    long[] shape = new long[shapes[index].length + 1];
    shape[0] = batch;
    System.arraycopy(shapes[index], 0, shape, 1, shapes[index].length);
    return shape;
  }

  DataType dataType(int index) {
    return DataType.valueOf(dataTypes[index]);
  }

  String name(int index) {
    return names[index];
  }

  /** Array {@code index} of a sample, checked for its count and length. */
  double[] array(Sample sample, int index) {
    double[][] group = index < inputCount ? sample.inputs() : sample.targets();
    int within = index < inputCount ? index : index - inputCount;
    int expected = index < inputCount ? inputCount : shapes.length - inputCount;
    if (group.length != expected) {
      throw new IllegalArgumentException(
          "a sample for " + model + " has " + group.length
              + (index < inputCount ? " inputs" : " targets") + " but the model has " + expected
              + "; give one array per " + (index < inputCount ? "input" : "output")
              + " in declaration order");
    }
    double[] values = group[within];
    if (values == null || values.length != lengths[index]) {
      throw new IllegalArgumentException(
          names[index] + " of a sample has " + (values == null ? "no" : values.length)
              + " values but shape " + Arrays.toString(shapes[index]) + " needs " + lengths[index]
              + "; flatten each sample row-major");
    }
    return values;
  }
}
