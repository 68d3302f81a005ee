package dev.kiln.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.callbacks.ModelCheckpoint;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A step on two workers is the step one machine takes with the whole global batch: 20 steps
 * (2 epochs of 10 batches of 32) of the Seed network on local[2] against the generated
 * trainStep on the same batches.
 */
class SynchronousTrainingTest {

  static final List<Sample> SAMPLES = TestSamples.of(320, 11);
  static final int BATCH = 32;
  static final int EPOCHS = 2;
  static final long SEED = 5;

  static SparkFitOptions options() {
    return SparkFitOptions.epochs(EPOCHS).batchSize(BATCH).seed(SEED)
        .verbosity(Verbosity.SILENT);
  }

  static JavaRDD<Sample> samples() {
    return LocalSpark.context().parallelize(SAMPLES, 2);
  }

  @Test
  void float64TwoWorkersEqualOneMachineToOnePartInTenBillion() {
    SeedModel distributed = SeedModel.create(3, DataType.DOUBLE);
    double[] initial = distributed.parameters().toDoubleVector();
    History history = KilnSpark.fit(distributed, samples(), options());

    SeedModel single = SeedModel.create(3, DataType.DOUBLE);
    double lastLoss = OneMachine.train(single, single::trainStep, SAMPLES, EPOCHS, BATCH, SEED);

    double[] expected = single.parameters().toDoubleVector();
    double[] actual = distributed.parameters().toDoubleVector();
    assertTrue(maxDifference(initial, expected) > 1e-2, "training moved the parameters");
    double relative = maxDifference(actual, expected) / maxAbs(expected);
    System.out.println("float64, 2 workers against 1 machine, 20 steps: " + relative);
    assertTrue(relative <= 1e-10, "float64 parameters differ by " + relative + " (relative)");
    assertEquals(lastLoss, history.last("loss"), 1e-10 * lastLoss);
    assertEquals(single.updater().iterations(), distributed.updater().iterations());
  }

  @Test
  void float32TwoWorkersEqualOneMachineToOnePartInAHundredThousand() {
    SeedModel distributed = SeedModel.create(3, DataType.FLOAT);
    KilnSpark.fit(distributed, samples(), options());

    SeedModel single = SeedModel.create(3, DataType.FLOAT);
    OneMachine.train(single, single::trainStep, SAMPLES, EPOCHS, BATCH, SEED);

    double[] expected = single.parameters().toDoubleVector();
    double relative =
        maxDifference(distributed.parameters().toDoubleVector(), expected) / maxAbs(expected);
    System.out.println("float32, 2 workers against 1 machine, 20 steps: " + relative);
    assertTrue(relative <= 1e-5, "float32 parameters differ by " + relative + " (relative)");
  }

  @Test
  void aFailedFirstAttemptOfEveryTaskOfAStepGivesTheSameParameters() {
    SeedModel undisturbed = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(undisturbed, samples(), options());
    SeedModel retried = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(retried, samples(), options().failFirstAttemptOfStep(7));

    assertArrayEquals(undisturbed.parameters().toDoubleVector(),
        retried.parameters().toDoubleVector(), 0.0);
  }

  @Test
  void aDriverRestartedFromItsLastCheckpointEndsAsAnUninterruptedRun(@TempDir Path dir)
      throws Exception {
    SeedModel uninterrupted = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(uninterrupted, samples(), options());

    Path checkpoint = dir.resolve("seed.kiln");
    SeedModel first = SeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(first, samples(), options().withEpochs(1)
        .callbacks(new ModelCheckpoint(checkpoint)));
    SeedModel restarted = SeedModel.create(99, DataType.DOUBLE); // a new driver
    restarted.load(checkpoint);
    KilnSpark.fit(restarted, samples(), options().initialEpoch(1));

    assertArrayEquals(uninterrupted.parameters().toDoubleVector(),
        restarted.parameters().toDoubleVector(), 0.0);
  }

  @Test
  void validationSamplesOnTheClusterScoreAsTheDriversEvaluate() {
    List<Sample> held = TestSamples.of(50, 99);
    SeedModel model = SeedModel.create(3, DataType.DOUBLE);
    History history = KilnSpark.fit(model, samples(),
        options().validationData(LocalSpark.context().parallelize(held, 2)));

    var scores = model.evaluate(dataOf(held));
    assertEquals(EPOCHS, history.get("val_loss").size());
    assertEquals(scores.loss(), history.last("val_loss"), 1e-12);
    assertEquals(scores.get("accuracy"), history.last("val_accuracy"), 1e-12);
  }

  @Test
  void validationDataOnTheDriverIsScoredEveryEpoch() {
    List<Sample> held = TestSamples.of(50, 99);
    SeedModel model = SeedModel.create(3, DataType.DOUBLE);
    History history = KilnSpark.fit(model, samples(), options().validationData(dataOf(held)));

    var scores = model.evaluate(dataOf(held));
    assertEquals(EPOCHS, history.get("val_accuracy").size());
    assertEquals(scores.loss(), history.last("val_loss"), 0.0);
  }

  private static SeedModel.Data dataOf(List<Sample> samples) {
    return SeedModel.data(
        Nd4j.createFromArray(samples.stream().map(s -> s.inputs()[0]).toArray(double[][]::new)),
        Nd4j.createFromArray(samples.stream().map(s -> s.targets()[0]).toArray(double[][]::new)));
  }

  static double maxDifference(double[] a, double[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  static double maxAbs(double[] a) {
    double max = 0;
    for (double v : a) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
