package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** The attention kernel against a plain-loop reference and central finite differences. */
class MultiHeadAttentionTest {

  /** One layer's arrays: inputs, parameters, trace and output, float64. */
  private static final class Case {
    final int n;
    final int tq;
    final int tv;
    final MultiHeadAttention.Settings settings;
    final INDArray query;
    final INDArray value;
    final INDArray key;
    final MultiHeadAttention.Parameters params;
    final MultiHeadAttention.Trace trace;
    final INDArray out;

    Case(long seed, int n, int tq, int tv, int dq, int dv, int dk, boolean self,
        MultiHeadAttention.Settings s, boolean bias, int outDim) {
      this.n = n;
      this.tq = tq;
      this.tv = tv;
      this.settings = s;
      int h = s.heads();
      query = RandomArrays.uniform(seed, n, tq, dq);
      value = self ? query : RandomArrays.uniform(seed + 1, n, tv, dv);
      key = self ? query : dk == 0 ? value : RandomArrays.uniform(seed + 2, n, tv, dk);
      long keyIn = key.size(2);
      params = new MultiHeadAttention.Parameters(
          RandomArrays.uniform(seed + 3, dq, h, s.keyDim()),
          bias ? RandomArrays.uniform(seed + 4, h, s.keyDim()) : null,
          RandomArrays.uniform(seed + 5, keyIn, h, s.keyDim()),
          bias ? RandomArrays.uniform(seed + 6, h, s.keyDim()) : null,
          RandomArrays.uniform(seed + 7, value.size(2), h, s.valueDim()),
          bias ? RandomArrays.uniform(seed + 8, h, s.valueDim()) : null,
          RandomArrays.uniform(seed + 9, h, s.valueDim(), outDim),
          bias ? RandomArrays.uniform(seed + 10, outDim) : null);
      trace = new MultiHeadAttention.Trace(nans(n, h, tq, s.keyDim()), nans(n, h, tv, s.keyDim()),
          nans(n, h, tv, s.valueDim()), nans(n, h, tq, tv), nans(n, h, tq, tv),
          nans(n, h, tq, tv), nans(n, tq, h * s.valueDim()));
      out = nans(n, tq, outDim);
    }

    void forward(boolean training, long dropoutSeed) {
      MultiHeadAttention.forward(query, value, key, params, settings, training,
          generator(dropoutSeed), trace, out);
    }

    MultiHeadAttention.Parameters gradients() {
      return new MultiHeadAttention.Parameters(nansLike(params.queryKernel()),
          nansLike(params.queryBias()), nansLike(params.keyKernel()), nansLike(params.keyBias()),
          nansLike(params.valueKernel()), nansLike(params.valueBias()),
          nansLike(params.outputKernel()), nansLike(params.outputBias()));
    }
  }

  private static INDArray nansLike(INDArray like) {
    return like == null ? null : LayerChecks.nansLike(like);
  }

  private static Random generator(long seed) {
    return Nd4j.getRandomFactory().getNewRandomInstance(seed);
  }

  @Test
  void forwardMatchesPlainLoops() {
    for (boolean causal : new boolean[] {false, true}) {
      Case c = new Case(1, 2, 4, 5, 3, 2, 4, false,
          new MultiHeadAttention.Settings(2, 3, 2, causal, 0), true, 5);
      c.forward(false, 0);
      assertValues(reference(c), c.out, "cross-attention, causal " + causal);
    }
  }

  @Test
  void causalQueriesGiveNoWeightToLaterKeys() {
    Case c = new Case(2, 1, 4, 4, 3, 3, 0, false,
        new MultiHeadAttention.Settings(2, 2, 2, true, 0), true, 3);
    c.forward(false, 0);
    for (int h = 0; h < 2; h++) {
      for (int i = 0; i < 4; i++) {
        double sum = 0;
        for (int j = 0; j < 4; j++) {
          double p = c.trace.scores().getDouble(0, h, i, j);
          sum += p;
          if (j > i) {
            assertEquals(0.0, p, "head " + h + " query " + i + " key " + j);
          }
        }
        assertEquals(1.0, sum, 1e-12, "probabilities of query " + i);
      }
    }
  }

  @Test
  void crossAttentionGradientsMatchFiniteDifferences() {
    checkGradients(new Case(3, 2, 3, 4, 4, 3, 2, false,
        new MultiHeadAttention.Settings(2, 3, 2, false, 0), true, 3), false);
  }

  @Test
  void causalSelfAttentionGradientsSumIntoOneInputGradient() {
    checkGradients(new Case(4, 2, 4, 4, 3, 3, 3, true,
        new MultiHeadAttention.Settings(3, 2, 4, true, 0), true, 3), false);
  }

  @Test
  void valueAsKeyWithoutBiasGradientsMatchFiniteDifferences() {
    checkGradients(new Case(5, 3, 2, 5, 2, 3, 0, false,
        new MultiHeadAttention.Settings(1, 4, 3, false, 0), false, 2), false);
  }

  @Test
  void dropoutOnProbabilitiesGradientsMatchFiniteDifferences() {
    checkGradients(new Case(6, 2, 3, 3, 3, 3, 0, false,
        new MultiHeadAttention.Settings(2, 2, 2, true, 0.3), true, 3), true);
  }

  @Test
  void dropoutAppliesOnlyInTraining() {
    Case c = new Case(7, 2, 3, 3, 3, 3, 0, false,
        new MultiHeadAttention.Settings(2, 2, 2, false, 0.5), true, 3);
    c.forward(false, 0);
    assertValues(reference(c), c.out, "inference ignores dropout");
    c.forward(true, 11);
    double[] mask = PlainArrays.values(c.trace.dropoutMask());
    double[] probabilities = PlainArrays.values(c.trace.scores());
    double[] dropped = PlainArrays.values(c.trace.dropped());
    for (int i = 0; i < mask.length; i++) {
      assertEquals(mask[i] * probabilities[i] / 0.5, dropped[i], 1e-12, "dropped entry " + i);
    }
  }

  @Test
  void stepsAllocateNoArraysAfterTheFirst() {
    Case c = new Case(8, 2, 3, 3, 3, 3, 0, false,
        new MultiHeadAttention.Settings(2, 2, 2, true, 0.2), true, 3);
    INDArray dOut = RandomArrays.uniform(9, c.out.shape());
    MultiHeadAttention.Parameters grads = c.gradients();
    INDArray dQuery = nansLike(c.query);
    INDArray dValue = nansLike(c.value);
    assertNoSteadyStateAllocation(() -> {
      c.forward(true, 1);
      MultiHeadAttention.backward(c.query, c.value, c.key, c.params, c.settings, c.trace,
          dOut, grads, dQuery, dValue, dValue);
    });
  }

  @Test
  void settingsOutsideTheirRangesAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new MultiHeadAttention.Settings(0, 2, 2, false, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new MultiHeadAttention.Settings(2, 2, 2, false, 1));
  }

  /** Every input and parameter gradient against finite differences of {@code sum(out * r)}. */
  private static void checkGradients(Case c, boolean training) {
    INDArray r = RandomArrays.uniform(99, c.out.shape());
    Runnable forward = () -> c.forward(training, 17);
    forward.run();
    MultiHeadAttention.Parameters grads = c.gradients();
    boolean self = c.value == c.query;
    boolean valueIsKey = c.key == c.value;
    INDArray dQuery = nansLike(c.query);
    INDArray dValue = self ? dQuery : nansLike(c.value);
    INDArray dKey = valueIsKey ? dValue : nansLike(c.key);
    MultiHeadAttention.backward(c.query, c.value, c.key, c.params, c.settings, c.trace,
        r, grads, dQuery, dValue, dKey);
    String[] names = {"queryKernel", "queryBias", "keyKernel", "keyBias", "valueKernel",
        "valueBias", "outputKernel", "outputBias"};
    INDArray[] values = {c.params.queryKernel(), c.params.queryBias(), c.params.keyKernel(),
        c.params.keyBias(), c.params.valueKernel(), c.params.valueBias(),
        c.params.outputKernel(), c.params.outputBias()};
    INDArray[] analytic = {grads.queryKernel(), grads.queryBias(), grads.keyKernel(),
        grads.keyBias(), grads.valueKernel(), grads.valueBias(), grads.outputKernel(),
        grads.outputBias()};
    for (int i = 0; i < names.length; i++) {
      if (values[i] != null) {
        assertGradient(names[i], forward, c.out, r, values[i], analytic[i]);
      }
    }
    assertGradient(self ? "input (query, value and key)" : "query", forward, c.out, r, c.query,
        dQuery);
    if (!self) {
      assertGradient(valueIsKey ? "value (also the key)" : "value", forward, c.out, r, c.value,
          dValue);
      if (!valueIsKey) {
        assertGradient("key", forward, c.out, r, c.key, dKey);
      }
    }
  }

  /** Keras' definition written out as loops, without dropout. */
  private static double[] reference(Case c) {
    MultiHeadAttention.Settings s = c.settings;
    int h = s.heads();
    int dk = s.keyDim();
    int dv = s.valueDim();
    int outDim = (int) c.out.size(2);
    double[] result = new double[c.n * c.tq * outDim];
    for (int b = 0; b < c.n; b++) {
      double[][][] q = project(c.query, b, c.params.queryKernel(), c.params.queryBias());
      double[][][] k = project(c.key, b, c.params.keyKernel(), c.params.keyBias());
      double[][][] v = project(c.value, b, c.params.valueKernel(), c.params.valueBias());
      for (int i = 0; i < c.tq; i++) {
        double[] merged = new double[h * dv];
        for (int head = 0; head < h; head++) {
          double[] scores = new double[c.tv];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < c.tv; j++) {
            double dot = 0;
            for (int d = 0; d < dk; d++) {
              dot += q[i][head][d] / Math.sqrt(dk) * k[j][head][d];
            }
            scores[j] = s.causal() && j > i ? -1e9 : dot;
            max = Math.max(max, scores[j]);
          }
          double sum = 0;
          for (int j = 0; j < c.tv; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
          }
          for (int j = 0; j < c.tv; j++) {
            for (int d = 0; d < dv; d++) {
              merged[head * dv + d] += scores[j] / sum * v[j][head][d];
            }
          }
        }
        for (int o = 0; o < outDim; o++) {
          double sum = c.params.outputBias() == null ? 0 : c.params.outputBias().getDouble(o);
          for (int head = 0; head < h; head++) {
            for (int d = 0; d < dv; d++) {
              sum += merged[head * dv + d] * c.params.outputKernel().getDouble(head, d, o);
            }
          }
          result[(b * c.tq + i) * outDim + o] = sum;
        }
      }
    }
    return result;
  }

  /** {@code x[b] . kernel + bias}: {@code (steps, heads, size)}. */
  private static double[][][] project(INDArray x, int b, INDArray kernel, INDArray bias) {
    int steps = (int) x.size(1);
    int in = (int) x.size(2);
    int heads = (int) kernel.size(1);
    int size = (int) kernel.size(2);
    double[][][] result = new double[steps][heads][size];
    for (int t = 0; t < steps; t++) {
      for (int head = 0; head < heads; head++) {
        for (int d = 0; d < size; d++) {
          double sum = bias == null ? 0 : bias.getDouble(head, d);
          for (int i = 0; i < in; i++) {
            sum += x.getDouble(b, t, i) * kernel.getDouble(i, head, d);
          }
          result[t][head][d] = sum;
        }
      }
    }
    return result;
  }

  @Test
  void float32AgreesWithFloat64() {
    Case c = new Case(10, 2, 3, 4, 3, 2, 0, false,
        new MultiHeadAttention.Settings(2, 3, 2, true, 0), true, 3);
    c.forward(false, 0);
    MultiHeadAttention.Parameters p = c.params;
    MultiHeadAttention.Parameters floats = new MultiHeadAttention.Parameters(
        f(p.queryKernel()), f(p.queryBias()), f(p.keyKernel()), f(p.keyBias()),
        f(p.valueKernel()), f(p.valueBias()), f(p.outputKernel()), f(p.outputBias()));
    MultiHeadAttention.Trace t = c.trace;
    MultiHeadAttention.Trace trace = new MultiHeadAttention.Trace(f(t.queries()), f(t.keys()),
        f(t.values()), f(t.scores()), null, null, f(t.context()));
    INDArray out = f(c.out);
    MultiHeadAttention.forward(f(c.query), f(c.value), f(c.value), floats, c.settings, false,
        generator(0), trace, out);
    KernelChecks.assertCloseToFloat64(c.out, out, "float32 output");
  }

  private static INDArray f(INDArray x) {
    return x == null ? null : x.castTo(DataType.FLOAT);
  }
}
