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
 * and with two executors, summing by tree aggregation and (with two workers) by all-reduce; the
 * payload bytes each step moves. Prints a Markdown table. Only with {@code
 * -Dkiln.spark.bench=true}; {@code -Dkiln.spark.bench.batch=256} sets the global batch, {@code
 * -Dkiln.spark.bench.workers=2} runs the two-worker setups alone, {@code
 * -Dkiln.spark.bench.epochs=6} times five epochs after the first, {@code
 * -Dkiln.spark.bench.cluster=false} leaves out the standalone cluster.
 */
@EnabledIfSystemProperty(named = "kiln.spark.bench", matches = "true")
class SparkBenchmarkTest {

  private static final int BATCH = Integer.getInteger("kiln.spark.bench.batch", 256);
  // The first epoch warms up; the others are timed, and a setup's rate is their median.
  private static final int EPOCHS = Integer.getInteger("kiln.spark.bench.epochs", 3);
  private static final int FEWEST_WORKERS = Integer.getInteger("kiln.spark.bench.workers", 1);

  @Test
  void stepsPerSecond() throws Exception {
    LocalSpark.stop();
    FashionMnistSamples data = FashionMnistSamples.subset(false);
    List<Sample> all = data.samples(0, 1);
    long parameters = MlpModel.create(1).parameterCount();
    List<String> rows = new ArrayList<>();
    rows.add(String.format(Locale.ROOT, "%-44s | %9s | %12s | %14s | %14s | %14s | %12s",
        "setup", "steps/s", "ms/step", "broadcast B", "gathered B", "exchanged B",
        "empty job ms"));

    MlpModel single = MlpModel.create(1);
    long[] times = new long[EPOCHS + 1];
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      long start = System.nanoTime();
      OneMachineEpoch.train(single, all, epoch, BATCH);
      times[epoch] = System.nanoTime() - start;
    }
    rows.add(row("one process, no Spark", times, all.size(), 0, 0, 0) + " |            -");

    for (int threads = FEWEST_WORKERS; threads <= 2; threads++) {
      try (JavaSparkContext spark = ClusterContexts.local(threads)) {
        runBoth("local[" + threads + "], " + threads + " partition(s)", spark, data, threads,
            all.size(), parameters, rows);
      }
    }
    if (!Boolean.parseBoolean(System.getProperty("kiln.spark.bench.cluster", "true"))) {
      System.out.println("global batch " + BATCH + ", local only");
      rows.forEach(System.out::println);
      return;
    }
    try (StandaloneCluster cluster = StandaloneCluster.start(2)) {
      for (int executors = FEWEST_WORKERS; executors <= 2; executors++) {
        try (JavaSparkContext spark = ClusterContexts.standalone(cluster, executors, "1g")) {
          runBoth("standalone, " + executors + " executor(s)", spark, data, executors,
              all.size(), parameters, rows);
        }
      }
    }
    System.out.println("global batch " + BATCH + ", MLP float32, " + parameters + " parameters");
    rows.forEach(System.out::println);
  }

  /** The tree, and with two or more partitions also the all-reduce, on one context. */
  private static void runBoth(String name, JavaSparkContext spark, FashionMnistSamples data,
      int partitions, int samples, long parameters, List<String> rows) {
    String emptyJob = String.format(Locale.ROOT, " | %12.1f", emptyJobMillis(spark, partitions));
    rows.add(run(name + ", tree", spark, data, partitions, samples, parameters,
        GradientExchange.TREE_AGGREGATE) + emptyJob);
    if (partitions > 1) {
      // The tree again after the all-reduce, so that a load drifting over the runs shows.
      rows.add(run(name + ", all-reduce", spark, data, partitions, samples, parameters,
          GradientExchange.ALL_REDUCE) + emptyJob);
      rows.add(run(name + ", tree again", spark, data, partitions, samples, parameters,
          GradientExchange.TREE_AGGREGATE) + emptyJob);
    }
  }

  private static String run(String name, JavaSparkContext spark, FashionMnistSamples data,
      int partitions, int samples, long parameters, GradientExchange exchange) {
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
            .gradientExchange(exchange).verbosity(Verbosity.SILENT));
    System.out.println(name + ": " + history);
    long vector = 4 * parameters;
    // Every partition holds part of each batch: the tree brings P vectors to the driver; the
    // all-reduce brings it one, and each partition fetches P - 1 slices of each other's.
    return exchange == GradientExchange.TREE_AGGREGATE
        ? row(name, times, samples, vector, vector * partitions, 0)
        : row(name, times, samples, vector, vector, vector * (partitions - 1));
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

  private static String row(String name, long[] times, int samples, long sent, long gathered,
      long exchanged) {
    int steps = (samples + BATCH - 1) / BATCH;
    double[] seconds = new double[EPOCHS - 1];
    for (int epoch = 2; epoch <= EPOCHS; epoch++) {
      seconds[epoch - 2] = times[epoch] / 1e9;
    }
    java.util.Arrays.sort(seconds);
    double median = seconds.length % 2 == 1
        ? seconds[seconds.length / 2]
        : (seconds[seconds.length / 2 - 1] + seconds[seconds.length / 2]) / 2;
    double perSecond = steps / median;
    return String.format(Locale.ROOT, "%-44s | %9.2f | %12.1f | %,14d | %,14d | %,14d",
        name, perSecond, 1000 / perSecond, sent, gathered, exchanged);
  }
}
