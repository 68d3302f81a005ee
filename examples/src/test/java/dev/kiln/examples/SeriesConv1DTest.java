package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Verbosity;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link SeriesConv1D}: Keras' parameter count, and it learns to classify noisy waves. */
class SeriesConv1DTest {

  private static final int STEPS = 64;

  @Test
  void parameterCountIsKeras() {
    // Conv1D: kernelSize * channels * filters + filters; Dense: inputs * units + units.
    long conv1 = 5 * 1 * 16 + 16;
    long conv2 = 3 * 16 * 32 + 32;
    long output = 32 * 3 + 3;
    SeriesConv1DModel model = SeriesConv1DModel.create(1);
    assertEquals(conv1 + conv2 + output, model.parameterCount());
    assertTrue(model.summary().contains("Total params: 1,763"), model.summary());
    assertTrue(model.summary().contains("(None, 32, 32)"), model.summary());
  }

  /**
   * Three classes of 64-step series, each with a random phase, amplitude and Gaussian noise of
   * 0.4: a sine of period 6, a sine of period 16, and a square wave of period 16, which shares the
   * second's period and differs in shape only.
   */
  @Test
  void learnsToTellNoisyWavesApart() {
    Data train = waves(900, 11);
    Data test = waves(300, 12);
    SeriesConv1DModel model = SeriesConv1DModel.create(3);
    model.fit(SeriesConv1DModel.data(train.x, train.y),
        FitOptions.epochs(6).batchSize(32).verbosity(Verbosity.SILENT));
    double accuracy = model.evaluate(SeriesConv1DModel.data(test.x, test.y)).get("accuracy");
    System.out.printf("%s test accuracy: %.4f%n", "SeriesConv1D", accuracy);
    // Measured 0.983; three classes, so chance is 0.33.
    assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
  }

  private record Data(INDArray x, INDArray y) {}

  private static Data waves(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    INDArray x = Nd4j.zeros(DataType.FLOAT, n, STEPS, 1);
    INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      double phase = random.nextDouble(2 * Math.PI);
      double amplitude = random.nextDouble(0.7, 1.3);
      for (int t = 0; t < STEPS; t++) {
        double wave = switch (label) {
          case 0 -> Math.sin(2 * Math.PI * t / 6 + phase);
          case 1 -> Math.sin(2 * Math.PI * t / 16 + phase);
          default -> Math.signum(Math.sin(2 * Math.PI * t / 16 + phase));
        };
        x.putScalar(new long[] {i, t, 0}, amplitude * wave + 0.4 * gaussian(random));
      }
      y.putScalar(i, label, 1);
    }
    return new Data(x, y);
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
