package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.data.FashionMnist;
import dev.kiln.runtime.testing.RandomArrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class MlpTest {

  @Test
  void summaryEqualsTheSeedsKerasTable() {
    SeedTables.assertSameTable("mlp", MlpModel.create(1).summary());
    assertEquals(541_794, MlpModel.create(1).parameterCount());
  }

  @Test
  void backwardMatchesFiniteDifferencesOnEveryParameterTensor() {
    MlpModel model = MlpModel.create(3, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(5, 4, 784).addi(1).divi(2);
    INDArray y = RandomArrays.oneHot(6, 4, 10);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), 40);
  }

  @Test
  void saveThenLoadReproducesPredictionsAndTrainingBitForBit(@TempDir Path directory)
      throws IOException {
    INDArray x = RandomArrays.uniform(8, 16, 784).castTo(DataType.FLOAT);
    INDArray y = RandomArrays.oneHot(9, 16, 10).castTo(DataType.FLOAT);
    MlpModel trained = MlpModel.create(1);
    for (int step = 0; step < 3; step++) {
      trained.trainStep(x, y);
    }
    Path file = directory.resolve("mlp.kiln");
    trained.save(file);

    MlpModel restored = MlpModel.create(2);
    assertFalse(ModelChecks.sameBits(trained.predict(x).output(), restored.predict(x).output()));
    restored.load(file);
    assertTrue(ModelChecks.sameBits(trained.predict(x).output(), restored.predict(x).output()));
    // The optimizer state came along: one more step moves both models identically.
    trained.trainStep(x, y);
    restored.trainStep(x, y);
    assertTrue(ModelChecks.sameBits(trained.parameters(), restored.parameters()));
  }

  @Test
  void trainsOnTheShippedFashionSubset() throws IOException {
    FashionMnist.Dataset data = FashionMnist.loadResources(Demo.class, "fashion-mnist-subset/");
    MlpModel model = MlpModel.create(42);
    History history =
        model.fit(
            MlpModel.data(data.train().flatImages(), data.train().oneHotLabels()),
            FitOptions.epochs(2).batchSize(64).verbosity(Verbosity.SILENT));
    assertTrue(history.get("loss").get(1) < history.get("loss").get(0), history.toString());
    double accuracy =
        model
            .evaluate(MlpModel.data(data.test().flatImages(), data.test().oneHotLabels()))
            .get("accuracy");
    // Ten classes: chance is 0.1; two epochs on 5,000 images reach about 0.8.
    assertTrue(accuracy > 0.7, "test accuracy " + accuracy);
  }

  @Test
  void predictAndActivationsHaveTheSummarysShapes() {
    MlpModel model = MlpModel.create(4);
    INDArray x = RandomArrays.uniform(10, 70, 784).castTo(DataType.FLOAT);
    INDArray probabilities = model.predict(x, 70).output();
    assertArrayEquals(new long[] {70, 10}, probabilities.shape());
    INDArray rowSums = probabilities.sum(1);
    for (int row = 0; row < 70; row++) {
      assertEquals(1.0, rowSums.getDouble(row), 1e-5);
    }
    MlpModel.Activations activations = model.activations(x);
    assertArrayEquals(new long[] {70, 784}, activations.input().shape());
    assertArrayEquals(new long[] {70, 512}, activations.hidden1().shape());
    assertArrayEquals(new long[] {70, 216}, activations.hidden2().shape());
    assertArrayEquals(new long[] {70, 128}, activations.hidden3().shape());
    // Same batch size, same kernels: the same bits (other batch sizes may block GEMMs differently).
    assertTrue(ModelChecks.sameBits(probabilities, activations.output()));
  }

  @Test
  void buildWritesTheSummaryAndGraphNextToTheClass() throws Exception {
    Path classes = Path.of(MlpModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String summary = Files.readString(classes.resolve("dev/kiln/examples/MlpModel.summary.txt"));
    assertEquals(MlpModel.create(1).summary(), summary);
    String dot = Files.readString(classes.resolve("dev/kiln/examples/MlpModel.dot"));
    assertTrue(dot.contains("hidden3 -> output;"), dot);
  }
}
