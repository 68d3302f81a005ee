package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Generated models of the layers and activations added after Keras 3, against finite
 * differences.
 */
class KerasLayersGradientsTest {

  private static final int ALL = 1000;

  @Test
  void everyNewActivation() {
    ActivationsModel model = ActivationsModel.create(1, DataType.DOUBLE);
    String summary = model.summary();
    assertTrue(summary.contains("d (LeakyReLU)"), summary);
    INDArray x = RandomArrays.uniform(2, 3, 4, 4, 2);
    INDArray y = RandomArrays.uniform(3, 3, 2).addi(1.5);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void layerNormalizationCountsAsKerasAndMatchesFiniteDifferences() {
    NormalizedModel model = NormalizedModel.create(4, DataType.DOUBLE);
    assertEquals(3 * 6 + 6 + (6 + 6) + (4 * 6 + 4 * 6) + 24 * 2 + 2, model.parameterCount());
    assertTrue(model.summary().contains("both (LayerNormalization)"), model.summary());
    INDArray x = RandomArrays.uniform(5, 3, 4, 3);
    INDArray y = RandomArrays.uniform(6, 3, 2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void mergesMatchFiniteDifferences() {
    KerasMergesModel model = KerasMergesModel.create(7, DataType.DOUBLE);
    INDArray left = RandomArrays.uniform(8, 3, 5);
    INDArray right = RandomArrays.uniform(9, 3, 5);
    INDArray y = RandomArrays.uniform(10, 3, 2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(left, right, y), ALL);
  }

  @Test
  void dotsAndSoftmaxHaveKerasShapesAndMatchFiniteDifferences() {
    DotsModel model = DotsModel.create(11, DataType.DOUBLE);
    String summary = model.summary();
    // Keras: Dot(axes=2) of (3, 4) and (5, 4) is (3, 5); Dot(axes=(1, 1)) of (3, 5) and (3, 4)
    // is (5, 4); two vectors give (1).
    assertTrue(summary.contains("scores (Dot)") && summary.contains("(None, 3, 5)"), summary);
    assertTrue(summary.contains("(None, 5, 4)") && summary.contains("(None, 1)"), summary);
    assertTrue(summary.contains("weights (Softmax)"), summary);
    INDArray queries = RandomArrays.uniform(12, 2, 3, 4);
    INDArray keys = RandomArrays.uniform(13, 2, 5, 4);
    INDArray y = RandomArrays.uniform(14, 2, 2);
    INDArray classes = RandomArrays.oneHot(15, 2, 3);
    ModelChecks.assertGradientsMatch(
        model, () -> model.computeGradients(queries, keys, y, classes), ALL);
  }
}
