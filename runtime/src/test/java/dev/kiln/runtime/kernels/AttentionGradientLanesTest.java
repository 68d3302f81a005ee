package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward pass's core in lanes ({@link AttentionGradientLanes}) against the batched
 * products, the split and the merge it replaces, in float32: every parameter's and input's
 * gradient, for self-attention (the gradients side by side in the one projection, the biases'
 * gradients summed as they are written) and for attention to another sequence (head-major), with
 * an odd query count, and on two threads.
 */
class AttentionGradientLanesTest {

  @AfterEach
  void allowLanes() {
    AttentionInLanes.gradientLanesAllowed = true;
  }

  @Test
  void selfAttentionMatchesTheBatchedProducts() {
    assumeTrue(VectorApi.ENABLED);
    int width = FloatLanes.SPECIES.length();
    compare(2, width, width, 2, width, width, 2 * width, 1e-6);
    compare(3, 2 * width, 2 * width, 3, 2 * width, width, 5, 1e-6);
  }

  @Test
  void attentionToAnotherSequenceMatchesTheBatchedProducts() {
    assumeTrue(VectorApi.ENABLED);
    int width = FloatLanes.SPECIES.length();
    compare(2, 5, width, 2, width, 2 * width, 3, 1e-6);
    compare(2, 2 * width + 1, 3 * width, 3, width, width, 4, 1e-6);
  }

  /**
   * Scores of 64K values and more: two halves of the samples, each with its own bias sums; and
   * of one sample's heads, each thread writing its heads' columns of the sample's rows.
   */
  @Test
  void twoThreadsMatchTheBatchedProducts() {
    assumeTrue(VectorApi.ENABLED);
    assertTrue(4L * 4 * 64 * 64 >= MultiHeadAttention.TWO_THREADS);
    compare(4, 64, 64, 4, 32, 32, 24, 1e-6);
    assertTrue(1L * 4 * 128 * 128 >= MultiHeadAttention.TWO_THREADS);
    compare(1, 128, 128, 4, 16, 16, 8, 1e-6);
  }

  /**
   * A step of a layer with {@code queries} query steps attending to {@code keys} steps (the
   * same sequence when equal), with the lanes and without.
   */
  private static void compare(int n, int queries, int keys, int heads, int keyDim, int valueDim,
      int inputWidth, double tolerance) {
    Layer lanes = new Layer(n, queries, keys, heads, keyDim, valueDim, inputWidth);
    Layer products = new Layer(n, queries, keys, heads, keyDim, valueDim, inputWidth);
    AttentionInLanes.gradientLanesAllowed = true;
    lanes.step();
    AttentionInLanes.gradientLanesAllowed = false;
    products.step();
    String at = queries + " queries, " + keys + " keys, " + heads + " heads of " + keyDim + "/"
        + valueDim + ": ";
    String[] names = {"queryKernel", "queryBias", "keyKernel", "keyBias", "valueKernel",
        "valueBias", "outputKernel", "outputBias", "query input", "value input"};
    INDArray[] expected = products.gradients();
    INDArray[] actual = lanes.gradients();
    double bound = tolerance * largest(expected);
    for (int i = 0; i < names.length; i++) {
      if (i < 9 || expected[i] != expected[8]) {
        assertAllClose(values(expected[i]), actual[i], bound, at + names[i] + " gradient");
      }
    }
  }

  /**
   * The largest magnitude among the arrays, at least 1: float32 sums of the same terms in
   * another order differ by a few units of the last place of the terms, and the keys' bias
   * gradient, zero in exact arithmetic (the softmax ignores a constant added to every score),
   * is all rounding of larger terms.
   */
  private static double largest(INDArray... arrays) {
    double largest = 1;
    for (INDArray array : arrays) {
      for (double value : values(array)) {
        largest = Math.max(largest, Math.abs(value));
      }
    }
    return largest;
  }

  /** One layer in float32 whose gradients start as NaN, so that each must be written. */
  private static final class Layer {
    final INDArray x;
    final INDArray y;
    final MultiHeadAttention.Settings s;
    final MultiHeadAttention.Parameters p;
    final MultiHeadAttention.Parameters g;
    final MultiHeadAttention.Trace trace;
    final INDArray out;
    final INDArray dOut;
    final INDArray dx;
    final INDArray dy;

    Layer(int n, int queries, int keys, int heads, int keyDim, int valueDim, int width) {
      s = new MultiHeadAttention.Settings(heads, keyDim, valueDim, false, 0);
      x = floats(1, n, queries, width);
      y = queries == keys ? x : floats(2, n, keys, width);
      p = new MultiHeadAttention.Parameters(floats(3, width, heads, keyDim),
          floats(4, heads, keyDim), floats(5, width, heads, keyDim), floats(6, heads, keyDim),
          floats(7, width, heads, valueDim), floats(8, heads, valueDim),
          floats(9, heads, valueDim, width), floats(10, width));
      g = new MultiHeadAttention.Parameters(nans(width, heads, keyDim), nans(heads, keyDim),
          nans(width, heads, keyDim), nans(heads, keyDim), nans(width, heads, valueDim),
          nans(heads, valueDim), nans(heads, valueDim, width), nans(width));
      trace = new MultiHeadAttention.Trace(nans(n, heads, queries, keyDim),
          nans(n, heads, keys, keyDim), nans(n, heads, keys, valueDim),
          nans(n, heads, queries, keys), null, null, nans(n, queries, heads * valueDim));
      out = nans(n, queries, width);
      dOut = floats(11, n, queries, width);
      dx = nans(n, queries, width);
      dy = y == x ? dx : nans(n, keys, width);
    }

    void step() {
      MultiHeadAttention.forward(x, y, y, p, s, true, null, trace, out);
      MultiHeadAttention.backward(x, y, y, p, s, trace, dOut, g, dx, dy, dy);
    }

    /** The parameters' gradients, then the query input's and the value input's. */
    INDArray[] gradients() {
      return new INDArray[] {g.queryKernel(), g.queryBias(), g.keyKernel(), g.keyBias(),
          g.valueKernel(), g.valueBias(), g.outputKernel(), g.outputBias(), dx, dy};
    }

    private static INDArray floats(long seed, long... shape) {
      return RandomArrays.uniform(seed, shape).subi(0.5).castTo(DataType.FLOAT);
    }

    private static INDArray nans(long... shape) {
      return NdArrays.zeros(DataType.FLOAT, shape).assign(Float.NaN);
    }
  }
}
