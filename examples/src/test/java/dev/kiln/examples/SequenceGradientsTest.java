package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Generated sequence models against float64 finite differences. */
class SequenceGradientsTest {

  private static final int ALL = 1000;

  @Test
  void lstmWithAndWithoutSequencesAndTimeDistributedOutput() {
    StackedLstmModel model = StackedLstmModel.create(1, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(2, 3, 4, 3);
    INDArray whole = RandomArrays.uniform(3, 3, 2);
    INDArray perStep = RandomArrays.oneHot(4, 12, 3).reshape(3, 4, 3);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, whole, perStep), ALL);
  }

  @Test
  void gruSimpleRnnAndBidirectionalLstm() {
    RecurrentsModel model = RecurrentsModel.create(5, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(6, 2, 5, 2);
    INDArray y = RandomArrays.uniform(7, 2, 2).addi(1).divi(2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void embeddedTokensAndConvolutionOverFrames() {
    TokensAndFramesModel model = TokensAndFramesModel.create(8, DataType.DOUBLE);
    INDArray tokens = Nd4j.createFromArray(new int[][] {{0, 3, 8, 3, 1, 2}, {7, 7, 4, 0, 5, 6}});
    INDArray clip = RandomArrays.uniform(9, 2, 3, 5, 5, 1);
    INDArray y = RandomArrays.uniform(10, 2, 2);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(tokens, clip, y), ALL);
  }

  @Test
  void variableLengthSequencesOfTwoLengths() {
    AnyLengthModel model = AnyLengthModel.create(11, DataType.DOUBLE);
    for (int steps : new int[] {4, 7}) {
      INDArray x = RandomArrays.uniform(12 + steps, 2, steps, 3);
      INDArray y = RandomArrays.uniform(13 + steps, 2, steps, 2);
      ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
      assertArrayEquals(new long[] {2, steps, 2}, model.predict(x).perStep().shape());
    }
  }

  @Test
  void floatTokensForAnEmbeddingAreRefused() {
    TokensAndFramesModel model = TokensAndFramesModel.create(8);
    INDArray floats = RandomArrays.uniform(14, 2, 6).castTo(DataType.FLOAT);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                model.predict(
                    floats, RandomArrays.uniform(15, 2, 3, 5, 5, 1).castTo(DataType.FLOAT)));
    assertTrue(e.getMessage().contains("tokens"), e.getMessage());
  }

  @Test
  void batchNormalizationAndDropoutOnEachStep() {
    PerStepNormalizationModel model = PerStepNormalizationModel.create(11, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(12, 2, 3, 4);
    INDArray y = RandomArrays.uniform(13, 2, 3, 2);
    ModelChecks.assertGradientsMatch(
        model,
        () -> {
          model.seedNoise(14);
          return model.computeGradients(x, y);
        },
        ALL);
  }
}
