package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training step in its steady state creates no array: buffers are allocated for the first batch
 * of a size, and every later step reuses them. (Every array the runtime creates goes through
 * {@link NdArrays}, which counts.)
 */
class SteadyStateAllocationTest {

  private static final int WARM_UP = 2;
  private static final int STEPS = 3;

  @Test
  void mlp() {
    MlpModel model = MlpModel.create(1);
    INDArray x = floats(1, 8, 784);
    INDArray y = oneHot(2, 8, 10);
    assertNoArraysAfterWarmUp(() -> model.trainStep(x, y));
  }

  @Test
  void cnnAndCorrectedCnn() {
    CnnModel cnn = CnnModel.create(1);
    INDArray x = floats(3, 4, 28, 28, 1);
    INDArray perPosition = oneHot(4, 4 * 16, 10).reshape(4, 4, 4, 10);
    assertNoArraysAfterWarmUp(() -> cnn.trainStep(x, perPosition));
    CnnFlatModel flat = CnnFlatModel.create(1);
    INDArray y = oneHot(5, 4, 10);
    assertNoArraysAfterWarmUp(() -> flat.trainStep(x, y));
  }

  @Test
  void sharedInput() {
    SharedInputModel model = SharedInputModel.create(1);
    INDArray x = floats(6, 4, 28, 28, 1);
    INDArray y = oneHot(7, 4, 10);
    assertNoArraysAfterWarmUp(() -> model.trainStep(x, y));
  }

  @Test
  void multipleInputs() {
    MultipleInputsModel model = MultipleInputsModel.create(1);
    INDArray gray = floats(8, 4, 64, 64, 1);
    INDArray rgb = floats(9, 4, 32, 32, 3);
    INDArray y = oneHot(10, 4, 10);
    assertNoArraysAfterWarmUp(() -> model.trainStep(gray, rgb, y));
  }

  @Test
  void transformerEncoderBlock() {
    TransformerEncoderModel model = TransformerEncoderModel.create(1);
    INDArray x = floats(15, 2, 64, 128);
    INDArray y = floats(16, 2, 64, 128);
    assertNoArraysAfterWarmUp(() -> model.trainStep(x, y));
  }

  @Test
  void maskedTokensWithASequenceLoss() {
    MaskedTokensModel model = MaskedTokensModel.create(1);
    INDArray tokens = org.nd4j.linalg.factory.Nd4j.createFromArray(
        new int[][] {{3, 5, 2, 0, 0, 0}, {1, 6, 6, 4, 2, 0}});
    INDArray label = oneHot(15, 2, 2);
    INDArray tags = org.nd4j.linalg.factory.Nd4j.createFromArray(
        new float[][] {{0, 2, 1, 1, 0, 2}, {2, 2, 0, 1, 1, 0}});
    assertNoArraysAfterWarmUp(() -> model.trainStep(tokens, label, tags));
  }

  @Test
  void maskedRecurrentLayersAndAttention() {
    INDArray tokens = org.nd4j.linalg.factory.Nd4j.createFromArray(
        new int[][] {{3, 0, 2, 5, 0, 0}, {1, 6, 6, 4, 2, 0}});
    MaskedRecurrentModel recurrent = MaskedRecurrentModel.create(1);
    INDArray label = oneHot(16, 2, 2);
    INDArray perStep = floats(17, 2, 6, 1);
    assertNoArraysAfterWarmUp(() -> recurrent.trainStep(tokens, label, perStep));
    MaskedAttentionModel attention = MaskedAttentionModel.create(1);
    assertNoArraysAfterWarmUp(() -> attention.trainStep(tokens, label, perStep));
  }

  @Test
  void alternatingBatchSizesReuseTheirBuffers() {
    MlpModel model = MlpModel.create(1);
    INDArray full = floats(11, 8, 784);
    INDArray fullY = oneHot(12, 8, 10);
    INDArray last = floats(13, 3, 784);
    INDArray lastY = oneHot(14, 3, 10);
    assertNoArraysAfterWarmUp(
        () -> {
          model.trainStep(full, fullY);
          model.trainStep(last, lastY);
        });
  }

  private static void assertNoArraysAfterWarmUp(Runnable step) {
    for (int i = 0; i < WARM_UP; i++) {
      step.run();
    }
    long before = NdArrays.created();
    for (int i = 0; i < STEPS; i++) {
      step.run();
    }
    assertEquals(0, NdArrays.created() - before, "arrays created by steady-state steps");
  }

  private static INDArray floats(long seed, long... shape) {
    return RandomArrays.uniform(seed, shape).castTo(DataType.FLOAT);
  }

  private static INDArray oneHot(long seed, long rows, int classes) {
    return RandomArrays.oneHot(seed, rows, classes).castTo(DataType.FLOAT);
  }
}
