package dev.kiln.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.examples.MlpModel;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.data.FashionMnist;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The examples' MLP on the full Fashion-MNIST, on a standalone cluster of two executors and on
 * one machine with the same global batches: the test accuracies agree within 0.005. Needs
 * Debian's dataset-fashion-mnist and {@code -Dkiln.spark.fashion=true}; {@code
 * -Dkiln.spark.fashion.epochs}, {@code .batch} and {@code .type} (FLOAT or DOUBLE) set the run
 * (default 5 epochs of 256, float32).
 */
@EnabledIfSystemProperty(named = "kiln.spark.fashion", matches = "true")
class FashionMnistClusterTest {

  private static final int EPOCHS = Integer.getInteger("kiln.spark.fashion.epochs", 5);
  private static final int BATCH = Integer.getInteger("kiln.spark.fashion.batch", 256);
  private static final DataType TYPE =
      DataType.valueOf(System.getProperty("kiln.spark.fashion.type", "FLOAT"));

  @Test
  void theClusterReachesTheTestAccuracyOfOneMachine() throws Exception {
    LocalSpark.stop();
    FashionMnist.Split test = FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY).test();
    MlpModel.Data testData = MlpModel.data(test.flatImages(), test.oneHotLabels());

    long start = System.nanoTime();
    List<Sample> all = FashionMnistRdd.rows(FashionMnist.DEBIAN_DIRECTORY, false, 0, 1);
    MlpModel single = MlpModel.create(7, TYPE);
    List<Double> singleLosses = new java.util.ArrayList<>();
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      singleLosses.add(OneMachineEpoch.train(single, all, epoch, BATCH));
    }
    System.out.println("one machine, training loss by epoch: " + singleLosses);
    double singleAccuracy = single.evaluate(testData).get("accuracy");
    double singleSeconds = (System.nanoTime() - start) / 1e9;

    double clusterAccuracy;
    double clusterSeconds;
    try (StandaloneCluster cluster = StandaloneCluster.start(2, "3g");
        JavaSparkContext spark = ClusterContexts.standalone(cluster, 2, "2g")) {
      start = System.nanoTime();
      MlpModel distributed = MlpModel.create(7, TYPE);
      History history = KilnSpark.fit(distributed, FashionMnistRdd.of(spark, FashionMnist.DEBIAN_DIRECTORY, false, 2),
          SparkFitOptions.epochs(EPOCHS).batchSize(BATCH).seed(3)
              .verbosity(Verbosity.ONE_LINE_PER_EPOCH));
      clusterSeconds = (System.nanoTime() - start) / 1e9;
      clusterAccuracy = distributed.evaluate(testData).get("accuracy");
      System.out.println("cluster history: " + history);
    }
    System.out.printf(
        "Fashion-MNIST MLP, %s, %d epochs of batch %d: one machine %.4f in %.0f s, standalone"
            + " cluster of 2 executors %.4f in %.0f s%n",
        TYPE, EPOCHS, BATCH, singleAccuracy, singleSeconds, clusterAccuracy, clusterSeconds);
    assertTrue(Math.abs(singleAccuracy - clusterAccuracy) <= 0.005,
        "accuracies " + singleAccuracy + " and " + clusterAccuracy);
  }
}
