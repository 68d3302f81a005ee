package dev.kiln.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Arrays for a model, one per input and one per output target, in declaration order, and
 * optionally one weight per sample. Generated models implement it with a typed record ({@code
 * MlpModel.data(input, output)}).
 */
public interface ModelData {

  /** One array per model input; the first axis is the sample axis. */
  INDArray[] inputArrays();

  /** One array per model output; empty for prediction-only data. */
  INDArray[] targetArrays();

  /**
   * Keras' {@code sample_weight}: one weight per sample, a vector of the samples' count, or null
   * (the default) for a weight of 1 each.
   */
  default INDArray sampleWeights() {
    return null;
  }

  /**
   * The same samples, each weighing {@code weights[i]} in the loss (Keras' {@code
   * sample_weight}): every output's loss multiplies sample {@code i}'s terms by it and still
   * divides by the number of terms ({@code sum_over_batch_size}), beside any class weights of
   * {@code fit}, which multiply with it. {@code fit}, {@code evaluate} and validation data take
   * them; the weights must be finite and {@code >= 0}, one per sample ({@code (n)} or {@code (n,
   * 1)}). Metrics stay unweighted.
   */
  default ModelData withSampleWeights(INDArray weights) {
    if (weights == null) {
      throw new IllegalArgumentException(
          "the sample weights are null; give one weight per sample, or leave them out");
    }
    return new WeightedData(inputArrays(), targetArrays(), weights);
  }

  /** Arrays with their sample weights. */
  record WeightedData(INDArray[] inputArrays, INDArray[] targetArrays, INDArray sampleWeights)
      implements ModelData {}
}
