package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Generated models with the 1-D and depthwise layer kinds against float64 finite differences. */
class SequenceConvGradientsTest {

  private static final int ALL = 1000;

  @Test
  void conv1dPoolingsAndUpSampling() {
    SequencesModel model = SequencesModel.create(1, DataType.DOUBLE);
    // Conv1D (3, 2, 3) + 3 and (2, 3, 2) + 2; Dense 2 * 3 + 3.
    assertEquals(3 * 2 * 3 + 3 + 2 * 3 * 2 + 2 + 2 * 3 + 3, model.parameterCount());
    INDArray x = RandomArrays.uniform(2, 3, 9, 2);
    INDArray y = RandomArrays.oneHot(3, 3, 3);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void depthwiseAndSeparable() {
    DepthwiseModel model = DepthwiseModel.create(4, DataType.DOUBLE);
    // Depthwise (3, 3, 2, 2) + 4; separable (2, 3, 4, 2) + (1, 1, 8, 3) + 3; Dense 3 * 2 + 2.
    assertEquals(3 * 3 * 2 * 2 + 4 + 2 * 3 * 4 * 2 + 8 * 3 + 3 + 3 * 2 + 2,
        model.parameterCount());
    INDArray x = RandomArrays.uniform(5, 2, 7, 6, 2);
    INDArray y = RandomArrays.uniform(6, 2, 2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void wrappedConv1dAndSeparable() {
    WrappedModel model = WrappedModel.create(7, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(8, 2, 3, 6, 2);
    INDArray y = RandomArrays.uniform(9, 2, 2, 1);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }
}
