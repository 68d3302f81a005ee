package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention's float32 paths: the softmax in Vector API lanes ({@link AttentionSoftmaxLanes})
 * against the float64 loops, the moves between layouts in float arrays ({@link Heads}) against
 * their float64 loops, and the whole layer's float32 gradients against float32 finite
 * differences, with keys in whole vectors (lanes) and not (loops).
 */
class AttentionFloat32Test {

  @Test
  void softmaxLanesMatchFloat64Loops() {
    assumeTrue(VectorApi.ENABLED);
    INDArray scores = RandomArrays.uniform(41, 3, 2, 5, 32).muli(6);
    scores.putScalar(new long[] {0, 0, 0, 3}, 80); // a large score: the max is taken out first
    scores.putScalar(new long[] {0, 0, 1, 7}, -80);
    INDArray dp = RandomArrays.uniform(42, 3, 2, 5, 32);
    INDArray probabilities = scores.dup();
    AttentionSoftmax.forward(probabilities, false);
    INDArray gradient = dp.dup();
    AttentionSoftmax.backward(probabilities, gradient);

    INDArray floats = scores.castTo(DataType.FLOAT);
    AttentionSoftmax.forward(floats, false);
    INDArray floatGradient = dp.castTo(DataType.FLOAT);
    AttentionSoftmax.backward(floats, floatGradient);
    assertAllClose(values(probabilities), floats, 1e-6, "probabilities");
    assertAllClose(values(gradient), floatGradient, 1e-6, "gradient of the scores");
  }

  @Test
  void headMovesInFloat32EqualTheFloat64Loops() {
    int n = 2;
    int heads = 3;
    int steps = 5;
    int size = 4;
    INDArray sideBySide = RandomArrays.uniform(43, n, steps, heads * size);
    INDArray bias = RandomArrays.uniform(44, heads, size);
    INDArray split = Nd4j.zeros(DataType.DOUBLE, n, heads, steps, size);
    Heads.split(sideBySide, bias, 0.5, split);
    INDArray floatSplit = Nd4j.zeros(DataType.FLOAT, n, heads, steps, size);
    Heads.split(sideBySide.castTo(DataType.FLOAT), bias.castTo(DataType.FLOAT), 0.5, floatSplit);
    assertInstanceOf(Elements.Floats.class, Elements.of(floatSplit));
    assertAllClose(values(split), floatSplit, 1e-6, "split with bias and scale");

    INDArray merged = Nd4j.zeros(DataType.DOUBLE, n, steps, heads * size);
    Heads.merge(split, 3, merged);
    INDArray floatMerged = Nd4j.zeros(DataType.FLOAT, n, steps, heads * size);
    Heads.merge(floatSplit, 3, floatMerged);
    assertAllClose(values(merged), floatMerged, 1e-5, "merge with scale");
    Heads.merge(floatSplit, 1, floatMerged);
    Heads.split(floatMerged, null, 1, floatSplit);
    assertAllClose(values(split), floatSplit, 1e-6, "merge then split, unscaled");
  }

  /**
   * Moves of 64K values and more run in two halves of the samples at once, and the bias gradient
   * summed in a backward merge adds both halves' sums: the same as the float64 loops.
   */
  @Test
  void largeHeadMovesInTwoHalvesEqualTheFloat64Loops() {
    int n = 5;
    int heads = 4;
    int steps = 64;
    int size = 64;
    assertTrue(n * heads * steps * size >= HeadMoves.TWO_THREADS);
    INDArray sideBySide = RandomArrays.uniform(45, n, steps, heads * size);
    INDArray bias = RandomArrays.uniform(46, heads, size);
    INDArray split = Nd4j.zeros(DataType.DOUBLE, n, heads, steps, size);
    Heads.split(sideBySide, bias, 0.25, split);
    INDArray floatSplit = Nd4j.zeros(DataType.FLOAT, n, heads, steps, size);
    Heads.split(sideBySide.castTo(DataType.FLOAT), bias.castTo(DataType.FLOAT), 0.25, floatSplit);
    assertAllClose(values(split), floatSplit, 1e-6, "split in two halves");

    INDArray x = RandomArrays.uniform(47, n, steps, 8);
    INDArray kernel = RandomArrays.uniform(48, 8, heads, size);
    INDArray dKernel = Nd4j.zeros(DataType.DOUBLE, 8, heads, size);
    INDArray dBias = Nd4j.zeros(DataType.DOUBLE, heads, size);
    INDArray merged = Nd4j.zeros(DataType.DOUBLE, n, steps, heads * size);
    Heads.projectBackward(x, kernel, split, 3, merged, dKernel, dBias, null, false);
    INDArray floatMerged = Nd4j.zeros(DataType.FLOAT, n, steps, heads * size);
    INDArray floatKernelGradient = Nd4j.zeros(DataType.FLOAT, 8, heads, size);
    INDArray floatBias = Nd4j.zeros(DataType.FLOAT, heads, size);
    Heads.projectBackward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT), floatSplit, 3,
        floatMerged, floatKernelGradient, floatBias, null, false);
    assertAllClose(values(merged), floatMerged, 1e-5, "merge in two halves");
    assertAllClose(values(dBias), floatBias, 2e-4, "bias gradient over 320 rows, two halves");
    assertAllClose(values(dKernel), floatKernelGradient, 2e-4, "kernel gradient");
  }

  @Test
  void float32GradientsInLanesMatchFiniteDifferences() {
    assumeTrue(VectorApi.ENABLED);
    int width = FloatLanes.SPECIES.length();
    // the softmax in lanes, the products in libnd4j (values of 3 are no whole vector)
    checkGradients(width, width, 3, 3);
    // the whole core in lanes (AttentionLanes): an odd query row alone, one vector of values
    checkGradients(5, width, 3, width);
    // self-attention: a prediction's core reads the heads from the one projection
    checkGradients(width, width, 3, width);
    // the backward pass's core in lanes (AttentionGradientLanes): self-attention writes the
    // gradients side by side into the one projection's, attention to another sequence head-major
    checkGradients(width, width, width, width);
    checkGradients(5, width, width, width);
  }

  @Test
  void float32GradientsInLoopsMatchFiniteDifferences() {
    checkGradients(5, 5, 3, 3); // 5 keys: the softmax's loops, whatever the Vector API
  }

  /**
   * Attention of {@code queries} steps to {@code keys} steps (self-attention when equal), 2
   * heads, in float32.
   */
  private static void checkGradients(int queries, int keys, int keyDim, int valueDim) {
    int n = 2;
    int width = 4;
    MultiHeadAttention.Settings s = new MultiHeadAttention.Settings(2, keyDim, valueDim, false, 0);
    INDArray x = floats(51, n, queries, width);
    INDArray y = queries == keys ? x : floats(61, n, keys, width);
    MultiHeadAttention.Parameters p = new MultiHeadAttention.Parameters(
        floats(52, width, 2, keyDim), floats(53, 2, keyDim), floats(54, width, 2, keyDim),
        floats(55, 2, keyDim), floats(56, width, 2, valueDim), floats(57, 2, valueDim),
        floats(58, 2, valueDim, width), floats(59, width));
    MultiHeadAttention.Trace trace = new MultiHeadAttention.Trace(zeros(n, 2, queries, keyDim),
        zeros(n, 2, keys, keyDim), zeros(n, 2, keys, valueDim), zeros(n, 2, queries, keys), null,
        null, zeros(n, queries, 2 * valueDim));
    INDArray out = zeros(n, queries, width);
    INDArray r = floats(60, n, queries, width);
    // The finite differences of a prediction; the backward pass after a training pass.
    Runnable forward = () -> MultiHeadAttention.forward(x, y, y, p, s, false, null, trace, out);
    MultiHeadAttention.forward(x, y, y, p, s, true, null, trace, out);
    MultiHeadAttention.Parameters g = new MultiHeadAttention.Parameters(
        zeros(width, 2, keyDim), zeros(2, keyDim), zeros(width, 2, keyDim), zeros(2, keyDim),
        zeros(width, 2, valueDim), zeros(2, valueDim), zeros(2, valueDim, width), zeros(width));
    INDArray dx = zeros(n, queries, width);
    INDArray dy = queries == keys ? dx : zeros(n, keys, width);
    MultiHeadAttention.backward(x, y, y, p, s, trace, r, g, dx, dy, dy);
    String at = queries + " queries, " + keys + " keys, values of " + valueDim + ": ";
    Float32Gradients.assertGradient(at + "queryKernel", forward, out, r, p.queryKernel(),
        g.queryKernel());
    Float32Gradients.assertGradient(at + "queryBias", forward, out, r, p.queryBias(),
        g.queryBias());
    Float32Gradients.assertGradient(at + "keyKernel", forward, out, r, p.keyKernel(),
        g.keyKernel());
    Float32Gradients.assertGradient(at + "valueKernel", forward, out, r, p.valueKernel(),
        g.valueKernel());
    Float32Gradients.assertGradient(at + "valueBias", forward, out, r, p.valueBias(),
        g.valueBias());
    Float32Gradients.assertGradient(at + "outputKernel", forward, out, r, p.outputKernel(),
        g.outputKernel());
    Float32Gradients.assertGradient(at + "outputBias", forward, out, r, p.outputBias(),
        g.outputBias());
    Float32Gradients.assertGradient(at + "query input", forward, out, r, x, dx);
    if (y != x) {
      Float32Gradients.assertGradient(at + "value input", forward, out, r, y, dy);
    }
  }

  /**
   * The tiles' softmax against float64 per row, for a tile whose rows lie far apart: rows whose
   * values are 120 and 30 below the tile's largest take their own largest values (the sum of
   * exponentials from the tile's would be 0, or the differences rounded too coarsely), rows 1
   * and 4 below keep the tile's.
   */
  @Test
  void tileSoftmaxMatchesFloat64RowsFarApart() {
    assumeTrue(VectorApi.ENABLED);
    int count = 2 * FloatLanes.SPECIES.length();
    float[] offsets = {60, -60, 30, 56, 59};
    int rows = offsets.length;
    java.util.Random random = new java.util.Random(7);
    float[] w = new float[2 * rows * count + rows];
    double[] expected = new double[rows * count];
    for (int r = 0; r < rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < count; j++) {
        w[r * count + j] = offsets[r] + 4 * random.nextFloat();
        max = Math.max(max, w[r * count + j]);
      }
      double sum = 0;
      for (int j = 0; j < count; j++) {
        expected[r * count + j] = Math.exp(w[r * count + j] - max);
        sum += expected[r * count + j];
      }
      for (int j = 0; j < count; j++) {
        expected[r * count + j] /= sum;
      }
    }
    AttentionTiles.softmax(w, 0, rows, count, rows * count, 2 * rows * count);
    for (int i = 0; i < expected.length; i++) {
      float p = w[rows * count + i];
      assertTrue(Math.abs(p - expected[i]) <= 1e-6 * Math.max(expected[i], 1e-3),
          "row " + i / count + ", value " + i % count + ": " + p + " against " + expected[i]);
    }
  }

  /**
   * A prediction that reads no probabilities ({@code scoresRead} false) leaves them as they were
   * and gives the same output as one that writes them, in lanes for self-attention (the one
   * projection) and attention to another sequence (head-major heads); a training pass writes
   * them whatever it is told.
   */
  @Test
  void predictionThatReadsNoScoresLeavesThemAndGivesTheSameOutput() {
    assumeTrue(VectorApi.ENABLED);
    int width = FloatLanes.SPECIES.length();
    int n = 2;
    int steps = 2 * width;
    int heads = 2;
    int size = width;
    MultiHeadAttention.Settings s =
        new MultiHeadAttention.Settings(heads, size, size, false, 0);
    INDArray x = floats(91, n, steps, 8);
    INDArray y = floats(92, n, steps, 8);
    MultiHeadAttention.Parameters p = new MultiHeadAttention.Parameters(
        floats(93, 8, heads, size), floats(94, heads, size), floats(95, 8, heads, size),
        floats(96, heads, size), floats(97, 8, heads, size), floats(98, heads, size),
        floats(99, heads, size, 8), floats(100, 8));
    for (INDArray other : new INDArray[] {x, y}) {
      String what = other == x ? "self-attention" : "attention to another sequence";
      MultiHeadAttention.Trace written = trace(n, heads, steps, size);
      INDArray expected = zeros(n, steps, 8);
      MultiHeadAttention.forward(x, other, other, p, s, false, true, null, written, expected);
      assertTrue(!written.scores().isNaN().any(), what + ": scores written");
      MultiHeadAttention.Trace left = trace(n, heads, steps, size);
      INDArray out = zeros(n, steps, 8);
      MultiHeadAttention.forward(x, other, other, p, s, false, false, null, left, out);
      assertTrue(left.scores().isNaN().all(), what + ": the scores left as they were");
      assertAllClose(values(expected), out, 0, what + ": output");
      MultiHeadAttention.forward(x, other, other, p, s, true, false, null, left, out);
      assertAllClose(values(written.scores()), left.scores(), 0, what + ": training writes them");
    }
  }

  private static MultiHeadAttention.Trace trace(int n, int heads, int steps, int size) {
    return new MultiHeadAttention.Trace(zeros(n, heads, steps, size),
        zeros(n, heads, steps, size), zeros(n, heads, steps, size),
        zeros(n, heads, steps, steps).assign(Float.NaN), null, null,
        zeros(n, steps, heads * size));
  }

  /**
   * The core in lanes against libnd4j's batched products and the softmax in float32, for query
   * counts odd and even and values of one, two and three vectors: probabilities and context.
   */
  @Test
  void coreInLanesMatchesTheBatchedProducts() {
    assumeTrue(VectorApi.ENABLED);
    int width = FloatLanes.SPECIES.length();
    for (int[] shape : new int[][] {{7, width, 5, width}, {8, 2 * width, 3, 2 * width},
        {3, 3 * width, 6, 3 * width}, {2, width, 1, 3 * width}}) {
      int queries = shape[0];
      int keys = shape[1];
      int keyDim = shape[2];
      int valueDim = shape[3];
      int n = 2;
      int heads = 3;
      INDArray q = floats(71, n, heads, queries, keyDim).muli(2);
      INDArray k = floats(72, n, heads, keys, keyDim).muli(2);
      INDArray v = floats(73, n, heads, keys, valueDim);
      INDArray expectedScores = zeros(n, heads, queries, keys);
      INDArray expectedContext = zeros(n, heads, queries, valueDim);
      Heads.multiply(q, k, expectedScores, false, true);
      AttentionSoftmax.forward(expectedScores, false);
      Heads.multiply(expectedScores, v, expectedContext, false, false);
      INDArray scores = zeros(n, heads, queries, keys).assign(Float.NaN);
      INDArray context = zeros(n, heads, queries, valueDim).assign(Float.NaN);
      assertTrue(AttentionLanes.suits(keys, valueDim));
      AttentionLanes.Heads lanes = AttentionLanes.Heads.headMajor(new FloatLanes(q),
          new FloatLanes(k), new FloatLanes(v), new FloatLanes(scores), new FloatLanes(context),
          heads, queries, keys, keyDim, valueDim);
      AttentionLanes.forward(lanes, 0, n * heads,
          new float[AttentionLanes.workLength(keys, keyDim, valueDim)]);
      java.lang.ref.Reference.reachabilityFence(q); // the lanes do not hold their arrays
      java.lang.ref.Reference.reachabilityFence(k);
      java.lang.ref.Reference.reachabilityFence(v);
      String what = queries + "x" + keys + " scores, keys of " + keyDim + ", values of "
          + valueDim;
      assertAllClose(values(expectedScores), scores, 1e-6, what + ": probabilities");
      assertAllClose(values(expectedContext), context, 1e-5, what + ": context");
    }
  }

  /**
   * The scores' gradient in lanes against libnd4j's batched product and the softmax's backward
   * pass in float32, for query counts odd and even, keys of one to three vectors and values of
   * any size.
   */
  @Test
  void scoresGradientInLanesMatchesTheBatchedProduct() {
    assumeTrue(VectorApi.ENABLED);
    int width = FloatLanes.SPECIES.length();
    for (int[] shape : new int[][] {{7, width, 5}, {8, 2 * width, 16}, {3, 3 * width, 3},
        {1, width, 2 * width}, {64, 64, 32}}) {
      int queries = shape[0];
      int keys = shape[1];
      int valueDim = shape[2];
      int n = 2;
      int heads = 3;
      INDArray scores = floats(81, n, heads, queries, keys).muli(4);
      AttentionSoftmax.forward(scores, false);
      INDArray dContext = floats(82, n, heads, queries, valueDim);
      INDArray v = floats(83, n, heads, keys, valueDim);
      INDArray expected = zeros(n, heads, queries, keys);
      Heads.multiply(dContext, v, expected, false, true);
      AttentionSoftmax.backward(scores, expected);
      INDArray dScores = zeros(n, heads, queries, keys).assign(Float.NaN);
      AttentionBackwardLanes.Heads lanes = new AttentionBackwardLanes.Heads(
          new FloatLanes(dContext), new FloatLanes(v), new FloatLanes(scores),
          new FloatLanes(dScores), queries, keys, valueDim);
      AttentionBackwardLanes.scoresGradient(lanes, 0, n * heads,
          new float[AttentionBackwardLanes.workLength(keys, valueDim)]);
      java.lang.ref.Reference.reachabilityFence(dContext); // the lanes do not hold their arrays
      java.lang.ref.Reference.reachabilityFence(v);
      java.lang.ref.Reference.reachabilityFence(scores);
      assertAllClose(values(expected), dScores, 1e-6,
          queries + "x" + keys + " scores, values of " + valueDim + ": scores' gradient");
    }
  }

  private static INDArray floats(long seed, long... shape) {
    return RandomArrays.uniform(seed, shape).castTo(DataType.FLOAT);
  }

  private static INDArray zeros(long... shape) {
    return NdArrays.zeros(DataType.FLOAT, shape);
  }
}
