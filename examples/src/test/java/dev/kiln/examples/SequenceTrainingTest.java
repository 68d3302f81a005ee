package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.data.FashionMnist;
import dev.kiln.runtime.testing.RandomArrays;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The seed's sequence networks train: their loss falls on data they can learn. */
class SequenceTrainingTest {

  @Test
  void lstmReadingImageRowsLearnsFashion() throws IOException {
    FashionMnist.Dataset data = FashionMnist.loadResources(Demo.class, "fashion-mnist-subset/");
    FashionMnist.Split train = data.train().head(2000);
    RnnRowsModel model = RnnRowsModel.create(42);
    History history =
        model.fit(
            RnnRowsModel.data(train.images(), train.oneHotLabels()),
            FitOptions.epochs(2).batchSize(64).verbosity(Verbosity.SILENT));
    assertTrue(history.get("loss").get(1) < history.get("loss").get(0), history.toString());
    double accuracy =
        model
            .evaluate(RnnRowsModel.data(data.test().images(), data.test().oneHotLabels()), 256)
            .get("accuracy");
    // Ten classes: chance is 0.1.
    assertTrue(accuracy > 0.5, "test accuracy " + accuracy);
  }

  @Test
  void seedRnnOver784PixelStepsLowersItsLoss() throws IOException {
    FashionMnist.Split train =
        FashionMnist.loadResources(Demo.class, "fashion-mnist-subset/").train().head(16);
    RnnModel model = RnnModel.create(7);
    INDArray pixels = train.images().reshape(16, 784, 1);
    INDArray labels = train.oneHotLabels();
    assertFalls(() -> model.trainStep(pixels, labels), 3);
  }

  @Test
  void sharedFeatureExtractionLowersItsLoss() throws IOException {
    FashionMnist.Split train =
        FashionMnist.loadResources(Demo.class, "fashion-mnist-subset/").train().head(16);
    SharedFeatureExtractionModel model = SharedFeatureExtractionModel.create(8);
    INDArray pixels = train.images().reshape(16, 784, 1);
    INDArray labels = train.oneHotLabels();
    assertFalls(() -> model.trainStep(pixels, labels), 3);
  }

  @Test
  void multipleOutputsLowersBothLosses() {
    MultipleOutputsModel model = MultipleOutputsModel.create(9);
    // A sequence's class is the sign of its mean; each step's class is its own sign.
    int n = 8;
    INDArray x = RandomArrays.uniform(10, n, 784, 1).castTo(DataType.FLOAT);
    INDArray whole = Nd4j.zeros(DataType.FLOAT, n, 10);
    INDArray steps = Nd4j.zeros(DataType.FLOAT, n, 784, 10);
    for (int i = 0; i < n; i++) {
      whole.putScalar(i, x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).meanNumber().doubleValue() > 0 ? 1 : 0, 1);
      for (int t = 0; t < 784; t++) {
        steps.putScalar(new long[] {i, t, x.getDouble(i, t, 0) > 0 ? 1 : 0}, 1);
      }
    }
    List<double[]> losses = new ArrayList<>();
    for (int step = 0; step < 4; step++) {
      model.trainStep(x, whole, steps);
      losses.add(model.lastOutputLosses());
    }
    assertTrue(losses.get(3)[0] < losses.get(0)[0], "output1 " + losses.get(0)[0] + " -> " + losses.get(3)[0]);
    assertTrue(losses.get(3)[1] < losses.get(0)[1], "output2 " + losses.get(0)[1] + " -> " + losses.get(3)[1]);
  }

  @Test
  void headlineModelTrainsOnNamedDataWithLossWeights() {
    // Synthetic headlines: popular when the first word id is even and the first extra value
    // positive; the auxiliary target is the first condition alone.
    int n = 256;
    SplittableRandom random = new SplittableRandom(11);
    int[][] words = new int[n][100];
    float[][] extras = new float[n][5];
    float[][] main = new float[n][1];
    float[][] aux = new float[n][1];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < 100; t++) {
        words[i][t] = 1 + random.nextInt(9_999);
      }
      for (int j = 0; j < 5; j++) {
        extras[i][j] = (float) random.nextDouble(-1, 1);
      }
      boolean even = words[i][0] % 2 == 0;
      aux[i][0] = even ? 1 : 0;
      main[i][0] = even && extras[i][0] > 0 ? 1 : 0;
    }
    HeadlinesModel model = HeadlinesModel.create(12);
    HeadlinesModel.Data data =
        HeadlinesModel.data(
            Nd4j.createFromArray(words),
            Nd4j.createFromArray(extras),
            Nd4j.createFromArray(main),
            Nd4j.createFromArray(aux));
    History history =
        model.fit(data, FitOptions.epochs(3).batchSize(32).verbosity(Verbosity.SILENT));
    List<Double> loss = history.get("loss");
    assertTrue(loss.get(2) < loss.get(0), history.toString());
    // Keras' loss_weights=[1., 0.2]: the total is the weighted sum of the two outputs' losses.
    double total =
        model.computeGradients(data.mainInput(), data.auxInput(), data.mainOutput(), data.auxOutput());
    double[] parts = model.lastOutputLosses();
    assertEquals(1.0 * parts[0] + 0.2 * parts[1], total, 1e-9);
    assertTrue(history.asMap().containsKey("mainOutput_loss"), history.asMap().keySet().toString());
    assertTrue(history.asMap().containsKey("auxOutput_accuracy"), history.asMap().keySet().toString());
  }

  private static void assertFalls(DoubleSupplier step, int steps) {
    List<Double> losses = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      losses.add(step.getAsDouble());
    }
    assertTrue(losses.get(steps - 1) < losses.get(0), "loss should fall: " + losses);
  }
}
