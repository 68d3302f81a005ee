package dev.kiln.spark;

import dev.kiln.examples.MlpModel;
import dev.kiln.runtime.Callback;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Steps per second of the examples' MLP (541,794 float32 parameters) on the Fashion-MNIST
 * subset: one process without Spark, local[1] and local[2], and a standalone cluster with one
 * and with two executors; the payload bytes each step moves. Prints a Markdown table. Only with
 * {@code -Dkiln.spark.bench=true}; {@code -Dkiln.spark.bench.batch=256} sets the global batch.
 */
@EnabledIfSystemProperty(named = "kiln.spark.bench", matches = "true")
class SparkBenchmarkTest {

  private static final int BATCH = Integer.getInteger("kiln.spark.bench.batch", 256);
  private static final int EPOCHS = 3; // the first warms up; the others are timed

  @Test
  void stepsPerSecond() throws Exception {
    LocalSpark.stop();
    FashionMnistSamples data = FashionMnistSamples.subset(false);
    List<Sample> all = data.samples(0, 1);
    long parameters = MlpModel.create(1).parameterCount();
    List<String> rows = new ArrayList<>();
    rows.add(String.format(Locale.ROOT, "%-32s | %9s | %12s | %14s | %14s | %12s",
        "setup", "steps/s", "ms/step", "broadcast B", "gathered B", "empty job ms"));

    MlpModel single = MlpModel.create(1);
    long[] times = new long[EPOCHS + 1];
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      long start = System.nanoTime();
      OneMachineEpoch.train(single, all, epoch, BATCH);
      times[epoch] = System.nanoTime() - start;
    }
    rows.add(row("one process, no Spark", times, all.size(), 0, 0) + " |            -");

    for (int threads = 1; threads <= 2; threads++) {
      try (JavaSparkContext spark = ClusterContexts.local(threads)) {
        rows.add(run("local[" + threads + "], " + threads + " partition(s)", spark,
            data, threads, all.size(), parameters));
      }
    }
    try (StandaloneCluster cluster = StandaloneCluster.start(2)) {
      for (int executors = 1; executors <= 2; executors++) {
        try (JavaSparkContext spark = ClusterContexts.standalone(cluster, executors, "1g")) {
          rows.add(run("standalone, " + executors + " executor(s)", spark, data, executors,
              all.size(), parameters));
        }
      }
    }
    System.out.println("global batch " + BATCH + ", MLP float32, " + parameters + " parameters");
    rows.forEach(System.out::println);
  }

  private static String run(String name, JavaSparkContext spark, FashionMnistSamples data,
      int partitions, int samples, long parameters) {
    long[] times = new long[EPOCHS + 1];
    long[] started = new long[1];
    Callback clock = new Callback() {
      @Override
      public void onEpochBegin(int epoch) {
        started[0] = System.nanoTime();
      }

      @Override
      public void onEpochEnd(int epoch, java.util.Map<String, Double> logs) {
        times[epoch] = System.nanoTime() - started[0];
      }
    };
    MlpModel model = MlpModel.create(1);
    History history = KilnSpark.fit(model, data.rdd(spark, partitions),
        SparkFitOptions.epochs(EPOCHS).batchSize(BATCH).seed(3).callbacks(clock)
            .verbosity(Verbosity.SILENT));
    System.out.println(name + ": " + history);
    return row(name, times, samples, 4 * parameters, 4 * parameters * partitions)
        + String.format(Locale.ROOT, " | %12.1f", emptyJobMillis(spark, partitions));
  }

  /** The median time of a job of one empty task per partition: the floor of a step. */
  private static double emptyJobMillis(JavaSparkContext spark, int partitions) {
    List<Integer> indices = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      indices.add(p);
    }
    var rdd = spark.parallelize(indices, partitions);
    double[] millis = new double[21];
    for (int i = 0; i < millis.length; i++) {
      long start = System.nanoTime();
      rdd.count();
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    java.util.Arrays.sort(millis);
    return millis[millis.length / 2];
  }

  private static String row(String name, long[] times, int samples, long sent, long gathered) {
    int steps = (samples + BATCH - 1) / BATCH;
    long timed = 0;
    for (int epoch = 2; epoch <= EPOCHS; epoch++) {
      timed += times[epoch];
    }
    double seconds = timed / 1e9;
    double perSecond = steps * (EPOCHS - 1) / seconds;
    return String.format(Locale.ROOT, "%-32s | %9.2f | %12.1f | %,14d | %,14d",
        name, perSecond, 1000 / perSecond, sent, gathered);
  }
}
