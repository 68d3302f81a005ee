package dev.kiln.spark;

import static dev.kiln.spark.SynchronousTrainingTest.maxAbs;
import static dev.kiln.spark.SynchronousTrainingTest.maxDifference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.History;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Parameter averaging every K steps, with the optimizer state averaged too. */
class LocalSgdTest {

  @Test
  void averagingEveryStepWithPlainSgdIsTheSynchronousStep() {
    SgdSeedModel synchronous = SgdSeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(synchronous, SynchronousTrainingTest.samples(), SynchronousTrainingTest.options());
    SgdSeedModel averaged = SgdSeedModel.create(3, DataType.DOUBLE);
    KilnSpark.fit(averaged, SynchronousTrainingTest.samples(),
        SynchronousTrainingTest.options().averageEvery(1));

    double[] expected = synchronous.parameters().toDoubleVector();
    double relative =
        maxDifference(averaged.parameters().toDoubleVector(), expected) / maxAbs(expected);
    System.out.println("SGD, averaging every step against synchronous: " + relative);
    assertTrue(relative <= 1e-10, "parameters differ by " + relative + " (relative)");
    assertEquals(synchronous.updater().iterations(), averaged.updater().iterations());
  }

  @Test
  void averagingEveryFourStepsCarriesAdamsStateAndLearns() {
    SeedModel model = SeedModel.create(3, DataType.DOUBLE);
    History history = KilnSpark.fit(model, SynchronousTrainingTest.samples(),
        SparkFitOptions.epochs(4).batchSize(32).seed(5).averageEvery(4)
            .verbosity(dev.kiln.runtime.Verbosity.SILENT));

    // 10 steps an epoch in rounds of 4, 4 and 2: the iteration count still counts steps.
    assertEquals(40, model.updater().iterations());
    // Adam's moments come back from the workers: after training they are not zero.
    double[] firstMoment = model.updater().stateArrays().get(0).toDoubleVector();
    assertTrue(maxAbs(firstMoment) > 0, "Adam's first moment was averaged back");
    assertTrue(history.get("loss").get(3) < history.get("loss").get(0),
        "the loss fell: " + history.get("loss"));
  }
}
