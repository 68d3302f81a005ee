package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.ModelData;
import dev.kiln.runtime.Scores;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Scores the model after an epoch, under Keras' names (without the {@code val_} prefix). */
interface Validator {

  Map<String, Double> score(KilnModel model);

  /** Data held by the driver: the driver's model evaluates it. */
  static Validator onDriver(ModelData data) {
    return model -> model.evaluate(data).asMap();
  }

  /**
   * Samples on the cluster: each shard evaluates its samples with the broadcast parameters, and
   * the driver weighs each shard's scores by its samples. Losses and accuracies come out as one
   * machine computes them; a metric whose denominator is not the sample count (precision,
   * recall) is a sample-weighted mean of the shards' values.
   */
  static Validator onCluster(JavaSparkContext spark, TrainingSet samples) {
    return model -> {
      Broadcast<FlatVector> parameters = spark.broadcast(FlatVector.of(model.parameters()));
      try {
        String modelClass = samples.modelClass();
        String dataType = samples.dataType();
        SampleLayout layout = samples.layout();
        List<Map<String, double[]>> shares = samples.shards()
            .map(shard -> evaluate(shard, layout, modelClass, dataType, parameters.value()))
            .collect();
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Map<String, double[]> share : shares) {
          share.forEach((name, sum) -> {
            double[] own = sums.computeIfAbsent(name, key -> new double[2]);
            own[0] += sum[0];
            own[1] += sum[1];
          });
        }
        Map<String, Double> means = new LinkedHashMap<>();
        sums.forEach((name, sum) -> means.put(name, sum[0] / sum[1]));
        return means;
      } finally {
        parameters.destroy();
      }
    };
  }

  private static Map<String, double[]> evaluate(Shard shard, SampleLayout layout,
      String modelClass, String dataType, FlatVector parameters) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    if (shard.count() == 0) {
      return sums;
    }
    KilnModel replica = Replicas.borrow(modelClass, dataType);
    try {
      parameters.copyInto(replica.parameters());
      int[] rows = new int[shard.count()];
      for (int r = 0; r < rows.length; r++) {
        rows[r] = r;
      }
      INDArray[] arrays = shard.batch(rows, layout);
      INDArray[] inputs = java.util.Arrays.copyOfRange(arrays, 0, layout.inputCount());
      INDArray[] targets = java.util.Arrays.copyOfRange(arrays, layout.inputCount(), arrays.length);
      Scores scores = replica.evaluate(new ModelData() {
        @Override
        public INDArray[] inputArrays() {
          return inputs;
        }

        @Override
        public INDArray[] targetArrays() {
          return targets;
        }
      }, 256);
      scores.asMap().forEach(
          (name, value) -> sums.put(name, new double[] {value * shard.count(), shard.count()}));
      return sums;
    } finally {
      Replicas.giveBack(replica);
    }
  }
}
