package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Generated backward passes against finite differences, one model per path of the step. */
class GeneratedGradientsTest {

  private static final int ALL = 1000;

  @Test
  void sigmoidOutputFusedWithBinaryCrossEntropy() {
    SigmoidBinaryModel model = SigmoidBinaryModel.create(1, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(2, 5, 6);
    INDArray y = RandomArrays.uniform(3, 5, 3).addi(1).divi(2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void layerReadByThreeOutputsSumsTheirGradients() {
    FanOutModel model = FanOutModel.create(4, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(5, 6, 7);
    INDArray classes = RandomArrays.oneHot(6, 6, 4);
    INDArray regression = RandomArrays.uniform(7, 6, 2).addi(1).divi(2);
    INDArray linear = RandomArrays.uniform(8, 6, 3);
    ModelChecks.assertGradientsMatch(
        model, () -> model.computeGradients(x, classes, regression, linear), ALL);
  }

  @Test
  void weightedLossIsTheWeightedSumOfOutputLosses() {
    FanOutModel model = FanOutModel.create(4, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(5, 6, 7);
    double total =
        model.computeGradients(
            x,
            RandomArrays.oneHot(6, 6, 4),
            RandomArrays.uniform(7, 6, 2).addi(1).divi(2),
            RandomArrays.uniform(8, 6, 3));
    double[] parts = model.lastOutputLosses();
    assertEquals(0.7 * parts[0] + 0.5 * parts[1] + 0.2 * parts[2], total, 1e-12);
  }

  @Test
  void sparseLabelsOnDenseOverTheLastAxis() {
    SparseSequenceModel model =
        SparseSequenceModel.create(9, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(10, 4, 3, 4);
    INDArray labels = Nd4j.createFromArray(new int[][] {{0, 4, 2}, {1, 1, 3}, {4, 0, 0}, {2, 3, 1}});
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, labels), ALL);
    assertArrayEquals(new long[] {4, 3, 5}, model.predict(x).label().shape());
  }
}
