package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention's softmax on an array large enough to be done in two halves of rows at once: every
 * row as the plain formula gives it, the causal mask at the right step of each query, in both
 * halves.
 */
class AttentionSoftmaxTest {

  @Test
  void twoHalvesGiveEveryRowItsSoftmaxAndGradient() {
    int n = 2;
    int heads = 4;
    int queries = 64;
    int keys = 128;
    for (boolean causal : new boolean[] {false, true}) {
      INDArray scores = RandomArrays.uniform(3, n, heads, queries, keys).muli(6);
      INDArray before = scores.dup();
      AttentionSoftmax.forward(scores, causal);
      INDArray dp = RandomArrays.uniform(4, n, heads, queries, keys);
      INDArray dScores = dp.dup();
      AttentionSoftmax.backward(scores, dScores);
      double[] p = new double[keys];
      for (int i = 0; i < n; i++) {
        for (int h = 0; h < heads; h++) {
          for (int q = 0; q < queries; q++) {
            int seen = causal ? q + 1 : keys;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < seen; k++) {
              max = Math.max(max, before.getDouble(i, h, q, k));
            }
            double sum = 0;
            for (int k = 0; k < seen; k++) {
              sum += Math.exp(before.getDouble(i, h, q, k) - max);
            }
            double dot = 0;
            for (int k = 0; k < keys; k++) {
              p[k] = k < seen ? Math.exp(before.getDouble(i, h, q, k) - max) / sum : 0;
              dot += p[k] * dp.getDouble(i, h, q, k);
            }
            for (int k = 0; k < keys; k++) {
              String at = (causal ? "causal " : "") + i + "," + h + "," + q + "," + k;
              assertEquals(p[k], scores.getDouble(i, h, q, k), 1e-15, "probability " + at);
              assertEquals(p[k] * (dp.getDouble(i, h, q, k) - dot), dScores.getDouble(i, h, q, k),
                  1e-15, "gradient " + at);
            }
          }
        }
      }
    }
  }
}
