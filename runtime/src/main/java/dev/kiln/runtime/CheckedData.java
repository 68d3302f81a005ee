package dev.kiln.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Inputs, targets and sample weights checked against a model once, converted to its data type
 * and laid out row-major, so that batches can be taken as views or gathered by row.
 */
final class CheckedData {

  final INDArray[] inputs;
  final INDArray[] targets;
  /** One weight per sample (Keras' {@code sample_weight}), or null for none. */
  final INDArray weights;

  private CheckedData(INDArray[] inputs, INDArray[] targets, INDArray weights) {
    this.inputs = inputs;
    this.targets = targets;
    this.weights = weights;
  }

  static CheckedData of(KilnModel model, ModelData data, boolean needTargets) {
    if (data == null) {
      throw new IllegalArgumentException("data is null");
    }
    ModelSpec spec = model.spec();
    INDArray[] rawInputs = data.inputArrays();
    INDArray[] rawTargets = data.targetArrays();
    if (rawInputs.length != spec.inputs().size()) {
      throw new IllegalArgumentException(
          "the model has " + spec.inputs().size() + " inputs but the data has " + rawInputs.length);
    }
    if (needTargets && rawTargets.length != spec.outputs().size()) {
      throw new IllegalArgumentException(
          "the model has "
              + spec.outputs().size()
              + " outputs but the data has "
              + rawTargets.length
              + " targets");
    }
    INDArray[] inputs = new INDArray[rawInputs.length];
    for (int i = 0; i < inputs.length; i++) {
      INDArray checked =
          i == 0
              ? model.checkedInput(0, rawInputs[0])
              : model.checkedInput(i, rawInputs[i], inputs[0].size(0));
      inputs[i] = rowMajor(checked);
    }
    INDArray[] targets = new INDArray[needTargets ? rawTargets.length : 0];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = rowMajor(model.checkedTarget(i, rawTargets[i], inputs[0].size(0)));
    }
    INDArray weights = needTargets
        ? DataChecks.sampleWeights(data.sampleWeights(), inputs[0].size(0),
            "input '" + spec.inputs().get(0).name() + "'", model.dataType())
        : null;
    return new CheckedData(inputs, targets, weights);
  }

  /** Arrays already checked and converted, such as the buffers of a gathered batch. */
  static CheckedData checked(INDArray[] inputs, INDArray[] targets, INDArray weights) {
    return new CheckedData(inputs, targets, weights);
  }

  /** The number of samples. */
  long size() {
    return inputs[0].size(0);
  }

  /** Samples {@code [from, to)} as views. */
  CheckedData rows(long from, long to) {
    return new CheckedData(rows(inputs, from, to), rows(targets, from, to),
        weights == null ? null : weights.get(NDArrayIndex.interval(from, to)));
  }

  static INDArray[] rows(INDArray[] arrays, long from, long to) {
    INDArray[] views = new INDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      views[i] = arrays[i].get(NDArrayIndex.interval(from, to));
    }
    return views;
  }

  private static INDArray rowMajor(INDArray array) {
    boolean rowMajorView = array.ordering() == 'c' && array.elementWiseStride() == 1;
    return rowMajorView ? array : NdArrays.copy(array, array.dataType());
  }
}
