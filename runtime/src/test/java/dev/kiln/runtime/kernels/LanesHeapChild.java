package dev.kiln.runtime.kernels;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The JVM {@link LanesHeapTest} starts: warms up GELU, attention's softmax, attention's core, its
 * backward pass, the input check's finite test, the bias add and sums, the squared error's pass
 * and GELU's backward pass from its slope in lanes, each on one thread, and prints the fewest heap
 * bytes a call allocated, one line per kernel ({@code name bytes}).
 */
public final class LanesHeapChild {

  private LanesHeapChild() {}

  public static void main(String[] args) {
    INDArray z = RandomArrays.uniform(1, 4096 + 7).muli(6).castTo(DataType.FLOAT);
    INDArray y = NdArrays.zeros(DataType.FLOAT, 4096 + 7);
    INDArray dy = NdArrays.zeros(DataType.FLOAT, 4096 + 7);
    System.out.println("gelu " + fewestBytes(() -> {
      Gelu.forward(z, y);
      Gelu.forward(z, dy); // a fresh gradient without an ND4J op
      Gelu.backward(z, dy);
    }));
    INDArray scores = RandomArrays.uniform(2, 4, 4, 16, 64).castTo(DataType.FLOAT);
    INDArray d = NdArrays.zeros(DataType.FLOAT, 4, 4, 16, 64);
    System.out.println("softmax " + fewestBytes(() -> {
      AttentionSoftmax.forward(scores, false);
      AttentionSoftmax.backward(scores, d);
    }));
    int width = FloatLanes.SPECIES.length();
    int queries = 9;
    int keys = 2 * width;
    INDArray q = RandomArrays.uniform(3, 2, 2, queries, keys).castTo(DataType.FLOAT);
    INDArray k = RandomArrays.uniform(4, 2, 2, keys, keys).castTo(DataType.FLOAT);
    INDArray v = RandomArrays.uniform(5, 2, 2, keys, keys).castTo(DataType.FLOAT);
    INDArray p = NdArrays.zeros(DataType.FLOAT, 2, 2, queries, keys);
    INDArray c = NdArrays.zeros(DataType.FLOAT, 2, 2, queries, keys);
    AttentionLanes.Heads heads = AttentionLanes.Heads.headMajor(new FloatLanes(q),
        new FloatLanes(k), new FloatLanes(v), new FloatLanes(p), new FloatLanes(c), 2, queries,
        keys, keys, keys);
    float[] work = new float[AttentionLanes.workLength(keys, keys, keys)];
    System.out.println("core " + fewestBytes(() -> AttentionLanes.forward(heads, 0, 4, work)));
    // the core reading rows of one projection side by side, adding biases and scaling, and
    // keeping the heads as a training pass does
    INDArray joint = RandomArrays.uniform(7, 2, keys, 2 * 3 * keys).castTo(DataType.FLOAT);
    INDArray side = NdArrays.zeros(DataType.FLOAT, 2, keys, 2 * keys);
    INDArray squareScores = NdArrays.zeros(DataType.FLOAT, 2, 2, keys, keys);
    FloatLanes lanes = new FloatLanes(joint);
    int rowWidth = 6 * keys;
    AttentionLanes.Heads raw = new AttentionLanes.Heads(lanes,
        AttentionLanes.Layout.sideBySide(0, keys, rowWidth, keys), lanes,
        AttentionLanes.Layout.sideBySide(2 * keys, keys, rowWidth, keys), lanes,
        AttentionLanes.Layout.sideBySide(4 * keys, keys, rowWidth, keys),
        new FloatLanes(squareScores), new FloatLanes(side),
        AttentionLanes.Layout.sideBySide(0, keys, 2 * keys, keys), 2, keys, keys, keys, keys,
        new float[rowWidth], 0.5f);
    float[] staged = new float[AttentionLanes.stagedLength(raw)];
    INDArray keptQueries = NdArrays.zeros(DataType.FLOAT, 2, 2, keys, keys);
    INDArray keptKeys = NdArrays.zeros(DataType.FLOAT, 2, 2, keys, keys);
    INDArray keptValues = NdArrays.zeros(DataType.FLOAT, 2, 2, keys, keys);
    AttentionLanes.Kept kept = new AttentionLanes.Kept(new FloatLanes(keptQueries),
        new FloatLanes(keptKeys), new FloatLanes(keptValues));
    System.out.println("rawcore " + fewestBytes(
        () -> AttentionLanes.forward(raw, 0, 4, work, staged, kept)));
    Reference.reachabilityFence(keptQueries);
    Reference.reachabilityFence(keptKeys);
    Reference.reachabilityFence(keptValues);
    INDArray ds = NdArrays.zeros(DataType.FLOAT, 2, 2, queries, keys);
    AttentionBackwardLanes.Heads backward = new AttentionBackwardLanes.Heads(new FloatLanes(c),
        new FloatLanes(v), new FloatLanes(p), new FloatLanes(ds), queries, keys, keys);
    float[] backwardWork = new float[AttentionBackwardLanes.workLength(keys, keys)];
    System.out.println("scoresgradient " + fewestBytes(
        () -> AttentionBackwardLanes.scoresGradient(backward, 0, 4, backwardWork)));
    // the backward pass's core: the queries' gradient side by side, scaled, the keys' and
    // values' head-major, and the column sums
    INDArray dQueries = NdArrays.zeros(DataType.FLOAT, 2, queries, 2 * keys);
    INDArray dKeys = NdArrays.zeros(DataType.FLOAT, 2, 2, keys, keys);
    INDArray dValues = NdArrays.zeros(DataType.FLOAT, 2, 2, keys, keys);
    INDArray dContext = RandomArrays.uniform(8, 2, queries, 2 * keys).castTo(DataType.FLOAT);
    AttentionLanes.Layout queryRows = AttentionLanes.Layout.headMajor(2, queries, keys);
    AttentionLanes.Layout keyRows = AttentionLanes.Layout.headMajor(2, keys, keys);
    AttentionLanes.Layout sideBySide = AttentionLanes.Layout.sideBySide(0, queries, 2 * keys,
        keys);
    AttentionGradientLanes.Heads gradientHeads = new AttentionGradientLanes.Heads(
        new FloatLanes(q), queryRows, new FloatLanes(k), keyRows, new FloatLanes(v), keyRows,
        new FloatLanes(p), new FloatLanes(dContext), sideBySide, new FloatLanes(dQueries),
        sideBySide, 0.5f, new FloatLanes(dKeys), keyRows, new FloatLanes(dValues), keyRows, 2,
        queries, keys, keys, keys);
    float[] gradientWork = new float[AttentionGradientLanes.workLength(queries, keys, keys, keys)];
    double[] biasSums = new double[3 * 2 * keys];
    float[] gradientStaged = new float[AttentionGradientLanes.stagedLength(gradientHeads)];
    System.out.println("gradientlanes " + fewestBytes(() -> AttentionGradientLanes.gradients(
        gradientHeads, 0, 4, gradientWork, biasSums, gradientStaged)));
    Reference.reachabilityFence(dQueries);
    Reference.reachabilityFence(dKeys);
    Reference.reachabilityFence(dValues);
    Reference.reachabilityFence(dContext);
    INDArray input = RandomArrays.uniform(6, 64, 784).castTo(DataType.FLOAT);
    System.out.println("finite " + fewestBytes(() -> {
      if (!FiniteLanes.allFinite(input)) {
        throw new AssertionError("finite values found not finite");
      }
    }));
    INDArray rows = RandomArrays.uniform(8, 600, 128).castTo(DataType.FLOAT);
    INDArray bias = RandomArrays.uniform(9, 128).castTo(DataType.FLOAT);
    INDArray sums = NdArrays.zeros(DataType.FLOAT, 128);
    System.out.println("biasadd " + fewestBytes(() -> BiasRows.add(rows, bias)));
    System.out.println("biassums " + fewestBytes(() -> BiasRows.sum(rows, sums)));
    INDArray target = RandomArrays.uniform(10, 600, 128).castTo(DataType.FLOAT);
    INDArray gradient = NdArrays.zeros(DataType.FLOAT, 600, 128);
    System.out.println("mse " + fewestBytes(
        () -> SquaredResiduals.sumAndGradient(rows, target, 0.5, gradient)));
    INDArray slope = RandomArrays.uniform(11, 8, 512).castTo(DataType.FLOAT);
    INDArray slopeGradient = RandomArrays.uniform(12, 8, 512).castTo(DataType.FLOAT);
    INDArray biasGradient = NdArrays.zeros(DataType.FLOAT, 512);
    System.out.println("geluslope " + fewestBytes(
        () -> BiasGelu.backwardFromSlope(slope, slopeGradient, biasGradient)));
    Reference.reachabilityFence(slope);
    Reference.reachabilityFence(slopeGradient);
    Reference.reachabilityFence(biasGradient);
    Reference.reachabilityFence(input);
    Reference.reachabilityFence(rows);
    Reference.reachabilityFence(bias);
    Reference.reachabilityFence(sums);
    Reference.reachabilityFence(target);
    Reference.reachabilityFence(gradient);
    Reference.reachabilityFence(z);
    Reference.reachabilityFence(y);
    Reference.reachabilityFence(dy);
    Reference.reachabilityFence(q);
    Reference.reachabilityFence(k);
    Reference.reachabilityFence(v);
    Reference.reachabilityFence(p);
    Reference.reachabilityFence(c);
    Reference.reachabilityFence(joint);
    Reference.reachabilityFence(side);
    Reference.reachabilityFence(squareScores);
    Reference.reachabilityFence(ds);
  }

  /** Warm-up until 5 measurements of 20 calls are within LanesHeapTest.LIMIT, or 8 s. */
  private static long fewestBytes(Runnable call) {
    return HeapPerCall.fewestBytes(call, 20, LanesHeapTest.LIMIT);
  }
}
