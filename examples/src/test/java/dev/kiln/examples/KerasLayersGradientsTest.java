package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Generated models of the layers and activations added after Keras 3, against finite differences. */
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
}
