package dev.kiln.spark;

import static dev.kiln.spark.SynchronousTrainingTest.maxAbs;
import static dev.kiln.spark.SynchronousTrainingTest.maxDifference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Callback;
import dev.kiln.runtime.History;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The equality and fault tests on a real standalone cluster: a master and two workers on
 * 127.0.0.1, executors in their own JVMs. Slow (child JVMs start, classes ship), so only with
 * {@code -Dkiln.spark.cluster=true}.
 */
@EnabledIfSystemProperty(named = "kiln.spark.cluster", matches = "true")
class StandaloneClusterTest {

  private static StandaloneCluster cluster;
  private static JavaSparkContext spark;

  @BeforeAll
  static void startCluster() throws Exception {
    LocalSpark.stop(); // one SparkContext per JVM
    long start = System.nanoTime();
    cluster = StandaloneCluster.start(2);
    spark = new JavaSparkContext(new SparkConf()
        .setMaster(cluster.url())
        .setAppName("kiln-spark cluster test")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false")
        .set("spark.executor.memory", "1g")
        .set("spark.executor.cores", "1")
        .set("spark.cores.max", "2")
        .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .set("spark.executor.extraJavaOptions", StandaloneCluster.moduleFlags())
        .set("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE"));
    System.out.printf("cluster up in %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  @AfterAll
  static void stopCluster() {
    if (spark != null) {
      spark.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static JavaRDD<Sample> samples() {
    return spark.parallelize(SynchronousTrainingTest.SAMPLES, 2);
  }

  @Test
  void float64TwoExecutorsEqualOneMachine() {
    long start = System.nanoTime();
    SeedModel distributed = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(distributed, samples(), SynchronousTrainingTest.options());
    System.out.printf("20 steps on the cluster in %.1f s%n", (System.nanoTime() - start) / 1e9);

    SeedModel single = SeedModel.create(3, DataType.DOUBLE);
    OneMachine.train(single, single::trainStep, SynchronousTrainingTest.SAMPLES,
        SynchronousTrainingTest.EPOCHS, SynchronousTrainingTest.BATCH,
        SynchronousTrainingTest.SEED);
    double[] expected = single.parameters().toDoubleVector();
    double relative =
        maxDifference(distributed.parameters().toDoubleVector(), expected) / maxAbs(expected);
    System.out.println("cluster, float64, 2 executors against 1 machine, 20 steps: " + relative);
    assertTrue(relative <= 1e-10, "parameters differ by " + relative + " (relative)");
  }

  @Test
  void allReduceBetweenTwoExecutorsTakesTheTreesStepsAndLeavesNoSlices() throws Exception {
    SeedModel tree = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(tree, samples(), SynchronousTrainingTest.options());
    long start = System.nanoTime();
    SeedModel reduced = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(reduced, samples(), SynchronousTrainingTest.options()
        .gradientExchange(GradientExchange.ALL_REDUCE).loseSliceBlocksOfStep(12));
    System.out.printf("20 all-reduce steps on the cluster in %.1f s%n",
        (System.nanoTime() - start) / 1e9);

    assertArrayEquals(tree.parameters().toDoubleVector(), reduced.parameters().toDoubleVector(),
        0.0);
    long deadline = System.currentTimeMillis() + 5_000;
    while (SliceBlocks.count() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, SliceBlocks.count(), "gradient slices left on the executors");
  }

  @Test
  void killingAnExecutorMidEpochGivesTheSameParameters() {
    SeedModel undisturbed = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(undisturbed, samples(), SynchronousTrainingTest.options());

    boolean[] killed = {false};
    Callback killer = new Callback() {
      @Override
      public void onBatchEnd(int epoch, int step, Map<String, Double> logs) {
        if (epoch == 1 && step == 5) {
          ProcessHandle executor = cluster.anExecutor()
              .orElseThrow(() -> new IllegalStateException("no executor process found"));
          executor.destroyForcibly();
          executor.onExit().join();
          killed[0] = true;
        }
      }
    };
    SeedModel disturbed = SeedModel.create(3, DataType.DOUBLE);
    long start = System.nanoTime();
    History history = KilnSpark.fit(disturbed, samples(),
        SynchronousTrainingTest.options().callbacks(killer));
    System.out.printf("20 steps with an executor killed at step 5 in %.1f s%n",
        (System.nanoTime() - start) / 1e9);

    assertTrue(killed[0], "an executor was killed");
    assertTrue(history.epochs() == SynchronousTrainingTest.EPOCHS);
    assertArrayEquals(undisturbed.parameters().toDoubleVector(),
        disturbed.parameters().toDoubleVector(), 0.0);
  }
}
