package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Self-attention's three projections as one product ({@link Heads#projectJoint}) against three
 * products: the same queries, keys, values, output and every gradient, in float64 and float32,
 * with keys and values of different sizes; and the moves of several parts in one pass ({@link
 * HeadMoves}) against one part at a time.
 */
class JointProjectionTest {

  @AfterEach
  void allowJoint() {
    Heads.jointAllowed = true;
  }

  @Test
  void oneProductEqualsThreeInFloat64() {
    compare(DataType.DOUBLE, 2, 5, 3, 2, 3, 4, 1e-12);
  }

  /**
   * Float32 rows of 64K values and more, moved in two halves of the samples. The input's
   * gradient reaches about 80 here, and the one product and the three sum in other orders: the
   * bound is relative to the largest value, a few units of float32's last place.
   */
  @Test
  void oneProductEqualsThreeInFloat32InTwoHalves() {
    assertTrue(8L * 32 * 4 * (16 + 16 + 32) >= HeadMoves.TWO_THREADS);
    compare(DataType.FLOAT, 8, 32, 24, 4, 16, 32, 1e-6);
  }

  /**
   * Scores of 64K values and more: the core reads the one projection on two threads, each
   * staging whole samples and keeping their heads for the backward pass.
   */
  @Test
  void oneProductEqualsThreeInFloat32OnTwoThreads() {
    assertTrue(4L * 4 * 64 * 64 >= MultiHeadAttention.TWO_THREADS);
    compare(DataType.FLOAT, 4, 64, 24, 4, 16, 16, 1e-6);
    assertTrue(1L * 4 * 128 * 128 >= MultiHeadAttention.TWO_THREADS);
    compare(DataType.FLOAT, 1, 128, 8, 4, 16, 16, 1e-6); // one sample's heads in two halves
  }

  /** With float32, {@code tolerance} is relative to the largest value of all (at least 1). */
  private static void compare(DataType type, int n, int steps, int width, int heads, int keyDim,
      int valueDim, double tolerance) {
    Layer joint = new Layer(type, n, steps, width, heads, keyDim, valueDim);
    Layer three = new Layer(type, n, steps, width, heads, keyDim, valueDim);
    Heads.jointAllowed = true;
    joint.step();
    Heads.jointAllowed = false;
    three.step();
    String at = type + ": ";
    String[] names = {"queries", "keys", "values", "output", "input gradient",
        "queryKernel gradient", "queryBias gradient", "keyKernel gradient", "keyBias gradient",
        "valueKernel gradient", "valueBias gradient", "outputKernel gradient",
        "outputBias gradient"};
    INDArray[] expected = three.results();
    INDArray[] actual = joint.results();
    double bound = type == DataType.FLOAT ? tolerance * largest(expected) : tolerance;
    for (int i = 0; i < names.length; i++) {
      assertAllClose(values(expected[i]), actual[i], bound, at + names[i]);
    }
  }

  /**
   * The largest magnitude among the arrays, at least 1: the keys' bias gradient, zero in exact
   * arithmetic (the softmax ignores a constant added to every score), is all rounding of larger
   * terms.
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

  /**
   * A float32 prediction whose core reads the heads from the one projection (adding biases and
   * scaling as it reads) writes the same output and probabilities as a training pass, which
   * splits the heads first: the same float operations in the same order.
   */
  @Test
  void predictionReadingTheProjectionEqualsTrainingExactly() {
    org.junit.jupiter.api.Assumptions.assumeTrue(VectorApi.ENABLED);
    int keys = FloatLanes.SPECIES.length();
    Layer layer = new Layer(DataType.FLOAT, 3, 2 * keys, 24, 2, 5, keys);
    MultiHeadAttention.forward(layer.x, layer.x, layer.x, layer.p, layer.s, true, null,
        layer.trace, layer.out);
    double[] trained = values(layer.out);
    double[] trainedScores = values(layer.trace.scores());
    layer.out.assign(Double.NaN);
    layer.trace.scores().assign(Double.NaN);
    layer.trace.context().assign(Double.NaN);
    MultiHeadAttention.forward(layer.x, layer.x, layer.x, layer.p, layer.s, false, null,
        layer.trace, layer.out);
    assertAllClose(trainedScores, layer.trace.scores(), 0, "probabilities");
    assertAllClose(trained, layer.out, 0, "output");
  }

  /** One self-attention layer whose parameters and gradients are views of flat buffers. */
  private static final class Layer {
    final INDArray x;
    final MultiHeadAttention.Settings s;
    final MultiHeadAttention.Parameters p;
    final MultiHeadAttention.Parameters g;
    final MultiHeadAttention.Trace trace;
    final INDArray out;
    final INDArray dOut;
    final INDArray dx;

    Layer(DataType type, int n, int steps, int width, int heads, int keyDim, int valueDim) {
      s = new MultiHeadAttention.Settings(heads, keyDim, valueDim, false, 0);
      x = RandomArrays.uniform(1, n, steps, width).castTo(type);
      long[][] shapes = {{width, heads, keyDim}, {heads, keyDim}, {width, heads, keyDim},
          {heads, keyDim}, {width, heads, valueDim}, {heads, valueDim},
          {heads, valueDim, width}, {width}};
      long total = 0;
      for (long[] shape : shapes) {
        total += java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      }
      INDArray flat = RandomArrays.uniform(2, total).castTo(type);
      INDArray gradients = Nd4j.zeros(type, total).assign(Double.NaN);
      p = parameters(flat, shapes);
      g = parameters(gradients, shapes);
      trace = new MultiHeadAttention.Trace(zeros(type, n, heads, steps, keyDim),
          zeros(type, n, heads, steps, keyDim), zeros(type, n, heads, steps, valueDim),
          zeros(type, n, heads, steps, steps), null, null, zeros(type, n, steps, heads * valueDim));
      out = zeros(type, n, steps, width);
      dOut = RandomArrays.uniform(3, n, steps, width).castTo(type);
      dx = zeros(type, n, steps, width);
    }

    void step() {
      MultiHeadAttention.forward(x, x, x, p, s, true, null, trace, out);
      MultiHeadAttention.backward(x, x, x, p, s, trace, dOut, g, dx, dx, dx);
    }

    /** The trace's queries, keys and values, the output, then every gradient. */
    INDArray[] results() {
      return new INDArray[] {trace.queries(), trace.keys(), trace.values(), out, dx,
          g.queryKernel(), g.queryBias(), g.keyKernel(), g.keyBias(), g.valueKernel(),
          g.valueBias(), g.outputKernel(), g.outputBias()};
    }

    private static MultiHeadAttention.Parameters parameters(INDArray flat, long[][] shapes) {
      INDArray[] views = new INDArray[shapes.length];
      long offset = 0;
      for (int i = 0; i < shapes.length; i++) {
        views[i] = NdArrays.view(flat, offset, shapes[i]);
        offset += views[i].length();
      }
      return new MultiHeadAttention.Parameters(views[0], views[1], views[2], views[3], views[4],
          views[5], views[6], views[7]);
    }

    private static INDArray zeros(DataType type, long... shape) {
      return NdArrays.zeros(type, shape).assign(Double.NaN);
    }
  }

  /** Three parts split and merged in one pass equal each part alone, with its bias sums. */
  @Test
  void movesOfThreePartsEqualOnePartAtATime() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      int n = 3;
      int steps = 4;
      long[][] parts = {{2, 3}, {2, 3}, {3, 2}}; // (heads, size)
      int width = 6 + 6 + 6;
      INDArray sideBySide = RandomArrays.uniform(5, n, steps, width).castTo(type);
      INDArray[] heads = new INDArray[3];
      INDArray[] biases = new INDArray[3];
      INDArray[] alone = new INDArray[3];
      double[] scales = {0.5, 1, 2};
      for (int i = 0, start = 0; i < 3; i++) {
        heads[i] = Nd4j.zeros(type, n, parts[i][0], steps, parts[i][1]);
        alone[i] = Nd4j.zeros(type, n, parts[i][0], steps, parts[i][1]);
        biases[i] = RandomArrays.uniform(6 + i, parts[i][0], parts[i][1]).castTo(type);
        int length = (int) (parts[i][0] * parts[i][1]);
        INDArray columns = sideBySide.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + length)).dup('c');
        Heads.split(columns, biases[i], scales[i], alone[i]);
        start += length;
      }
      HeadMoves.split(sideBySide, heads, biases, scales);
      for (int i = 0; i < 3; i++) {
        assertAllClose(values(alone[i]), heads[i], 1e-6, type + ": split part " + i);
      }

      INDArray merged = Nd4j.zeros(type, n, steps, width);
      INDArray[] sums = new INDArray[3];
      for (int i = 0; i < 3; i++) {
        sums[i] = i == 1 ? null : Nd4j.zeros(type, parts[i][0], parts[i][1]);
      }
      HeadMoves.merge(heads, scales, merged, sums);
      for (int i = 0, start = 0; i < 3; i++) {
        int length = (int) (parts[i][0] * parts[i][1]);
        INDArray expected = Nd4j.zeros(type, n, steps, length);
        Heads.merge(heads[i], scales[i], expected);
        INDArray columns = merged.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + length));
        assertAllClose(values(expected), columns.dup('c'), 1e-6, type + ": merged part " + i);
        if (sums[i] != null) {
          INDArray columnSums = expected.reshape(n * steps, length).sum(0);
          assertAllClose(values(columnSums), sums[i].reshape(length), 1e-5,
              type + ": bias sums of part " + i);
        }
        start += length;
      }
    }
  }
}
