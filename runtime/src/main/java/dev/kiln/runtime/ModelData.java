package dev.kiln.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Arrays for a model, one per input and one per output target, in declaration order. Generated
 * models implement it with a typed record ({@code MlpModel.data(input, output)}).
 */
public interface ModelData {

  /** One array per model input; the first axis is the sample axis. */
  INDArray[] inputArrays();

  /** One array per model output; empty for prediction-only data. */
  INDArray[] targetArrays();
}
