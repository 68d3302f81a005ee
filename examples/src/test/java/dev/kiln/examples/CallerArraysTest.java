package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * fit and predict leave the caller's arrays and the model's buffers as they were. (ND4J
 * 1.0.0-M2.1's {@code shape()} returns the array's own shape array: changing it once reshaped the
 * caller's training data to one batch and corrupted native memory.)
 */
class CallerArraysTest {

  @Test
  void fitLeavesTheTrainingDataItsShape() {
    MlpModel model = MlpModel.create(1);
    INDArray x = RandomArrays.uniform(1, 40, 784).castTo(DataType.FLOAT);
    INDArray y = RandomArrays.oneHot(2, 40, 10).castTo(DataType.FLOAT);
    model.fit(MlpModel.data(x, y), FitOptions.epochs(1).batchSize(16).verbosity(Verbosity.SILENT));
    assertArrayEquals(new long[] {40, 784}, x.shape());
    assertArrayEquals(new long[] {40, 10}, y.shape());
    // And the full-size arrays still work after the batches.
    assertTrue(Double.isFinite(model.computeGradients(x, y)));
  }

  @Test
  void predictLeavesTheModelsBuffersTheirShape() {
    MlpModel model = MlpModel.create(1);
    INDArray many = RandomArrays.uniform(3, 70, 784).castTo(DataType.FLOAT);
    INDArray few = RandomArrays.uniform(4, 5, 784).castTo(DataType.FLOAT);
    assertArrayEquals(new long[] {70, 10}, model.predict(many, 32).output().shape());
    assertArrayEquals(new long[] {5, 10}, model.predict(few, 32).output().shape());
    assertArrayEquals(new long[] {70, 10}, model.predict(many, 32).output().shape());
    assertArrayEquals(new long[] {32, 10}, model.activations(many.get(
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 32))).output().shape());
  }
}
