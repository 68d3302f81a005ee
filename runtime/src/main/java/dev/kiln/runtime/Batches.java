package dev.kiln.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Evaluation and prediction over consecutive batches of checked data. */
final class Batches {

  private Batches() {}

  /** Loss and metrics over all of {@code data}; names carry {@code prefix} ({@code val_}). */
  static Scores evaluate(KilnModel model, CheckedData data, int batchSize, String prefix) {
    requirePositive(batchSize);
    BatchLogs logs = new BatchLogs(model);
    RunningMeans means = new RunningMeans();
    for (long from = 0; from < data.size(); from += batchSize) {
      CheckedData batch = data.rows(from, Math.min(from + batchSize, data.size()));
      double loss = model.testOnBatch(batch.inputs, batch.targets);
      logs.record(means, loss, batch.targets);
    }
    Map<String, Double> named = new LinkedHashMap<>();
    means.means().forEach((name, value) -> named.put(prefix + name, value));
    return new Scores(named);
  }

  /** The model's outputs for every sample of {@code inputs}, in new arrays. */
  static INDArray[] predict(KilnModel model, INDArray[] inputs, int batchSize) {
    requirePositive(batchSize);
    long samples = inputs[0].size(0);
    INDArray[] results = new INDArray[model.outputs().size()];
    for (long from = 0; from < samples; from += batchSize) {
      long to = Math.min(from + batchSize, samples);
      model.predictOnBatch(CheckedData.rows(inputs, from, to));
      for (int i = 0; i < results.length; i++) {
        INDArray output = model.lastOutput(i);
        if (results[i] == null) {
          // ND4J returns its own shape array: change a copy.
          long[] shape = output.shape().clone();
          shape[0] = samples;
          results[i] = NdArrays.zeros(output.dataType(), shape);
        }
        results[i].get(NDArrayIndex.interval(from, to)).assign(output);
      }
    }
    return results;
  }

  private static void requirePositive(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
  }
}
