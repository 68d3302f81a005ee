package dev.kiln.runtime;

import dev.kiln.runtime.losses.SampleWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Evaluation and prediction over consecutive batches: of checked data, or of an iterator. */
final class Batches {

  private Batches() {}

  /** Loss and metrics over all of {@code data}; names carry {@code prefix} ({@code val_}). */
  static Scores evaluate(KilnModel model, CheckedData data, int batchSize, String prefix) {
    requirePositive(batchSize);
    BatchLogs logs = new BatchLogs(model);
    RunningMeans means = new RunningMeans();
    for (long from = 0; from < data.size(); from += batchSize) {
      CheckedData batch = data.rows(from, Math.min(from + batchSize, data.size()));
      double loss = test(model, batch);
      logs.record(means, loss, batch.targets);
    }
    return named(means, prefix);
  }

  /** Loss and metrics over one pass of an iterator's batches, as the iterator gives them. */
  static Scores evaluate(KilnModel model, BatchStream<?> batches, String prefix) {
    BatchLogs logs = new BatchLogs(model);
    RunningMeans means = new RunningMeans();
    batches.startEpoch();
    for (CheckedData batch = batches.next(); batch != null; batch = batches.next()) {
      double loss = test(model, batch);
      logs.record(means, loss, batch.targets);
    }
    return named(means, prefix);
  }

  /** The loss of one batch in inference mode, weighted per sample if it has sample weights. */
  private static double test(KilnModel model, CheckedData batch) {
    return batch.weights == null
        ? model.testOnBatch(batch.inputs, batch.targets)
        : SampleWeights.during(batch.weights, () -> model.testOnBatch(batch.inputs, batch.targets));
  }

  /**
   * Hands the outputs of each of one pass of an iterator's batches to {@code each}, with the
   * iterator's item behind them; the outputs are new arrays, one per output.
   */
  static <T> void predict(
      KilnModel model, BatchStream<T> batches, BiConsumer<? super T, INDArray[]> each) {
    batches.startEpoch();
    for (CheckedData batch = batches.next(); batch != null; batch = batches.next()) {
      model.predictOnBatch(batch.inputs);
      INDArray[] outputs = new INDArray[model.outputs().size()];
      for (int i = 0; i < outputs.length; i++) {
        outputs[i] = result(model.lastOutput(i));
      }
      each.accept(batches.current(), outputs);
    }
  }

  /** The outputs of one pass of an iterator's batches, joined along the sample axis. */
  static INDArray[] predict(KilnModel model, BatchStream<?> batches) {
    List<List<INDArray>> parts = new ArrayList<>();
    for (int i = 0; i < model.outputs().size(); i++) {
      parts.add(new ArrayList<>());
    }
    predict(model, batches, (item, outputs) -> {
      for (int i = 0; i < outputs.length; i++) {
        parts.get(i).add(outputs[i]);
      }
    });
    INDArray[] joined = new INDArray[parts.size()];
    for (int i = 0; i < joined.length; i++) {
      List<INDArray> part = parts.get(i);
      joined[i] = part.size() == 1 ? part.get(0) : Nd4j.concat(0, part.toArray(INDArray[]::new));
    }
    return joined;
  }

  /** The model's outputs for every sample of {@code inputs}, in new arrays. */
  static INDArray[] predict(KilnModel model, INDArray[] inputs, int batchSize) {
    requirePositive(batchSize);
    long samples = inputs[0].size(0);
    INDArray[] results = new INDArray[model.outputs().size()];
    if (samples <= batchSize) {
      // One batch: the inputs themselves, not views of them, so that a model's bound products
      // find the same arrays again when a serving loop passes the same array each time.
      model.predictOnBatch(inputs);
      for (int i = 0; i < results.length; i++) {
        results[i] = result(model.lastOutput(i));
      }
      return results;
    }
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

  /** A copy of an output buffer to return, in memory of an earlier, collected result if any. */
  private static INDArray result(INDArray output) {
    INDArray copy = ResultMemory.copyOf(output);
    return copy != null ? copy : NdArrays.copy(output);
  }

  private static Scores named(RunningMeans means, String prefix) {
    Map<String, Double> named = new LinkedHashMap<>();
    means.means().forEach((name, value) -> named.put(prefix + name, value));
    return new Scores(named);
  }

  private static void requirePositive(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
  }
}
