package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Generated attention models against float64 finite differences. */
class AttentionGradientsTest {

  private static final int ALL = 1000;

  @Test
  void causalSelfAttentionWithResidual() {
    CausalSelfAttentionModel model = CausalSelfAttentionModel.create(1, DataType.DOUBLE);
    randomizeBiases(model.parameters(), 2);
    INDArray x = RandomArrays.uniform(3, 2, 5, 4);
    INDArray y = RandomArrays.oneHot(4, 2, 3);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(x, y), ALL);
  }

  @Test
  void crossAttentionWithKeysAndValueAsKey() {
    CrossAttentionModel model = CrossAttentionModel.create(5, DataType.DOUBLE);
    randomizeBiases(model.parameters(), 6);
    INDArray query = RandomArrays.uniform(7, 2, 3, 4);
    INDArray memory = RandomArrays.uniform(8, 2, 5, 4);
    INDArray keys = RandomArrays.uniform(9, 2, 5, 2);
    INDArray cross = RandomArrays.uniform(10, 2, 3, 6);
    INDArray valueAsKey = RandomArrays.uniform(11, 2, 3, 4);
    ModelChecks.assertGradientsMatch(model,
        () -> model.computeGradients(query, memory, keys, cross, valueAsKey), ALL);
  }

  @Test
  void dropoutOnProbabilitiesOverTwoLengths() {
    AttentionDropoutModel model = AttentionDropoutModel.create(12, DataType.DOUBLE);
    randomizeBiases(model.parameters(), 13);
    for (int steps : new int[] {3, 6}) {
      INDArray x = RandomArrays.uniform(14 + steps, 2, steps, 3);
      INDArray y = RandomArrays.uniform(15 + steps, 2, steps, 2);
      ModelChecks.assertGradientsMatch(model, () -> {
        model.seedNoise(16);
        return model.computeGradients(x, y);
      }, ALL);
      assertArrayEquals(new long[] {2, steps, 2}, model.predict(x).perStep().shape());
    }
  }

  @Test
  void tokenAndPositionEmbeddingsOverTwoLengths() {
    EmbeddedTokensModel model = EmbeddedTokensModel.create(17, DataType.DOUBLE);
    randomizeBiases(model.parameters(), 18);
    for (int steps : new int[] {4, 6}) {
      INDArray tokens = org.nd4j.linalg.factory.Nd4j.createFromArray(
          new int[][] {{0, 3, 6, 3, 1, 2}, {5, 5, 4, 0, 6, 1}}).get(
          org.nd4j.linalg.indexing.NDArrayIndex.all(),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(0, steps)).dup();
      INDArray y = RandomArrays.uniform(19 + steps, 2, steps, 1);
      ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(tokens, y), ALL);
    }
    INDArray tooLong = org.nd4j.linalg.factory.Nd4j.zeros(DataType.INT, 1, 7);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> model.predict(tooLong));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("sequenceLength"),
        e.getMessage());
  }

  @Test
  void scoresAreAnActivationWithCausalZeros() {
    CausalSelfAttentionModel model = CausalSelfAttentionModel.create(1, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(3, 2, 5, 4);
    CausalSelfAttentionModel.Activations activations = model.activations(x);
    INDArray scores = activations.attentionScores();
    assertArrayEquals(new long[] {2, 2, 5, 5}, scores.shape());
    assertEquals(scores, activations.get("attention/scores"));
    for (int i = 0; i < 5; i++) {
      assertEquals(1.0, scores.getDouble(1, 1, i, 0) + scores.getDouble(1, 1, i, 1)
          + scores.getDouble(1, 1, i, 2) + scores.getDouble(1, 1, i, 3)
          + scores.getDouble(1, 1, i, 4), 1e-12, "probabilities of query " + i);
      for (int j = i + 1; j < 5; j++) {
        assertEquals(0.0, scores.getDouble(0, 1, i, j), "query " + i + " key " + j);
      }
    }
  }

  @Test
  void parameterCountsAreKeras() {
    // Keras: query/key/value kernels (d, heads, size) with biases (heads, size), output kernel
    // (heads, valueDim, out) with bias (out).
    int causal = (4 * 2 * 3 + 2 * 3) * 2 + (4 * 2 * 3 + 2 * 3) + (2 * 3 * 4 + 4);
    assertEquals(causal + 20 * 3 + 3, CausalSelfAttentionModel.create(1).spec().parameterCount());
    int cross = (4 * 2 * 2 + 2 * 2) + (2 * 2 * 2 + 2 * 2) + (4 * 2 * 3 + 2 * 3) + (2 * 3 * 6 + 6);
    int valueAsKey = 4 * 1 * 2 + 4 * 1 * 2 + 4 * 1 * 2 + 1 * 2 * 4;
    assertEquals(cross + valueAsKey, CrossAttentionModel.create(1).spec().parameterCount());
  }

  /** Biases start at 0; a random value checks their gradients away from that special point. */
  private static void randomizeBiases(INDArray parameters, long seed) {
    parameters.addi(RandomArrays.uniform(seed, parameters.length()).muli(0.1));
  }
}
