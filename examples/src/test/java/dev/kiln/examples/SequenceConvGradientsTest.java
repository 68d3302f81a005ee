package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

  /** {@code @Bind} gives Conv1D's and DepthwiseConv2D's attributes per application. */
  @Test
  void boundAttributesOfBlocks() {
    BoundModel model = BoundModel.create(10, DataType.DOUBLE);
    // Conv1D (3, 2, 3) + 3 and (2, 3, 2) + 2; depthwise (3, 3, 2, 2) + 4 and (2, 2, 4, 1) + 4;
    // Dense over 2 + 4 values.
    assertEquals(3 * 2 * 3 + 3 + 2 * 3 * 2 + 2 + 3 * 3 * 2 * 2 + 4 + 2 * 2 * 4 + 4 + 6 + 1,
        model.parameterCount());
    INDArray series = RandomArrays.uniform(11, 2, 8, 2);
    INDArray image = RandomArrays.uniform(12, 2, 6, 6, 2);
    BoundModel.Activations activations = model.activations(series, image);
    assertArrayEquals(new long[] {2, 8, 3}, activations.causal().conv().shape());
    assertArrayEquals(new long[] {2, 7, 2}, activations.valid().conv().shape());
    assertArrayEquals(new long[] {2, 6, 6, 4}, activations.wide().conv().shape());
    assertArrayEquals(new long[] {2, 3, 3, 4}, activations.strided().conv().shape());
    INDArray y = RandomArrays.uniform(13, 2, 1);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(series, image, y), ALL);
  }
}
