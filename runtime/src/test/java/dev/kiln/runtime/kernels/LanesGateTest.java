package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link LanesGate}: a cold kernel runs a chunk in lanes and the rest in its plain loop, with the
 * same bits as whole lanes; the first calls in a fresh JVM allocate a chunk's worth of heap, not a
 * vector object per operation over the whole array ({@link ColdLanesChild}).
 */
class LanesGateTest {

  /**
   * A cold call's heap: a chunk of lanes interpreted, some 1.5 MB, the call's objects, and the
   * first call's one-time set-up (about 1 MB, the thread measure's included).
   */
  static final long COLD_CALL_LIMIT = 1 << 22;

  @AfterEach
  void gatesMeasureAgain() {
    LanesGate.force(null);
  }

  @Test
  void aColdGateLetsAChunkThrough() {
    LanesGate gate = new LanesGate("a test's");
    LanesGate.force(false);
    assertEquals(100 + LanesGate.COLD_ELEMENTS, gate.lanesEnd(100, 1_000_000));
    assertEquals(300, gate.lanesEnd(100, 300));
    assertEquals(11, gate.lanesEnd(10, 50, 32768), "rows of 32768 elements: one");
    assertEquals(10 + LanesGate.COLD_ELEMENTS / 100, gate.lanesEnd(10, 5000, 100));
    LanesGate.force(true);
    assertEquals(1_000_000, gate.lanesEnd(100, 1_000_000));
    assertEquals(50, gate.lanesEnd(10, 50, 32768));
  }

  @Test
  void aGrowingGatesChunkDoublesAfterEachRunThatAllocated() {
    LanesGate gate = new LanesGate("a test's", 4);
    int chunk = LanesGate.COLD_ELEMENTS;
    for (int expected : new int[] {chunk, 2 * chunk, 4 * chunk, 4 * chunk}) {
      assertEquals(expected, gate.lanesEnd(0, 1_000_000), "a cold run's chunk");
      assertEquals(expected / 100, gate.lanesEnd(0, 1_000_000, 100), "rows of 100");
      long mark = gate.start();
      Object[] garbage = new Object[16];
      gate.finish(mark, garbage.length > 0);
    }
    long mark = gate.start();
    gate.finish(mark, false);
    assertEquals(4 * chunk, gate.lanesEnd(0, 1_000_000), "a run of nothing changes nothing");
    assertThrows(IllegalArgumentException.class, () -> new LanesGate("a test's", 0));
  }

  @Test
  void aCallThatAllocatesLeavesTheGateCold() {
    LanesGate gate = new LanesGate("a test's");
    long mark = gate.start();
    Object[] garbage = new Object[16];
    gate.finish(mark, true);
    assertFalse(gate.warm(), "allocated " + garbage.length);
    mark = gate.start();
    gate.finish(mark, false);
    assertFalse(gate.warm(), "a call whose lanes ran nothing tells nothing");
  }

  @Test
  void coldAndWholeLanesGiveTheSameBits() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    // 64 channels, whole vectors; rows of 16 x 64 outputs, past a cold chunk, on two threads.
    INDArray x = RandomArrays.uniform(51, 4, 64, 32, 64).castTo(DataType.FLOAT);
    INDArray pooled = RandomArrays.uniform(52, 4, 32, 16, 64).castTo(DataType.FLOAT);
    INDArray overlapping = RandomArrays.uniform(53, 4, 32, 16, 64).castTo(DataType.FLOAT);
    INDArray y = RandomArrays.uniform(54, 3, 100_003).subi(0.5).castTo(DataType.FLOAT);
    INDArray dy = RandomArrays.uniform(55, 3, 100_003).castTo(DataType.FLOAT);
    assertSameBits("max pooling forward", pooled,
        out -> MaxPoolLanes.forward(x, Window.valid(2, 2, 2, 2), out, false));
    assertSameBits("max pooling forward with relu", pooled,
        out -> MaxPoolLanes.forward(x, Window.valid(2, 2, 2, 2), out, true));
    assertSameBits("max pooling forward, 3x3", overlapping,
        out -> MaxPoolLanes.forward(x, Window.same(3, 3, 2, 2), out, false));
    assertSameBits("max pooling forward, 3x3 with relu", overlapping,
        out -> MaxPoolLanes.forward(x, Window.same(3, 3, 2, 2), out, true));
    assertSameBits("max pooling backward", x,
        dx -> MaxPoolLanes.backward(x, pooled, Window.valid(2, 2, 2, 2), dx, true));
    assertSameBits("max pooling backward, 3x3", x,
        dx -> MaxPoolLanes.backward(x, overlapping, Window.same(3, 3, 2, 2), dx, false));
    assertSameBits("ReLU backward", dy, g -> {
      g.assign(dy);
      ReluLanes.backward(y, g);
    });
    // 1000 rows of 40 columns (two vectors and a part with 16 lanes), some of them no token's.
    int[] tokens = new int[3000];
    for (int p = 0; p < tokens.length; p++) {
      tokens[p] = (p * 37 + p / 11) % 990;
    }
    INDArray ids = NdArrays.copy(Nd4j.createFromArray(tokens).reshape(30, 100), DataType.INT);
    INDArray dOut = RandomArrays.uniform(56, 30, 100, 40).subi(0.5).castTo(DataType.FLOAT);
    assertSameBits("Embedding gradient", NdArrays.zeros(DataType.FLOAT, 1000, 40),
        dTable -> EmbeddingGradient.write(ids, dOut, dTable));
    // Small convolutions: rows of 30 x 32 outputs, past a cold chunk, on two threads; valid and
    // same padding, the prediction's pooled path, the training step's and its gradient.
    INDArray image = RandomArrays.uniform(57, 24, 30, 30, 1).castTo(DataType.FLOAT);
    INDArray convKernel = RandomArrays.uniform(58, 4, 4, 1, 32).subi(0.5).castTo(DataType.FLOAT);
    INDArray convBias = RandomArrays.uniform(59, 32).subi(0.5).castTo(DataType.FLOAT);
    for (Window window : new Window[] {Window.valid(4, 4, 1, 1), Window.same(4, 4, 1, 1)}) {
      int side = window.same() ? 30 : 27;
      INDArray convOut = NdArrays.zeros(DataType.FLOAT, 24, side, side, 32);
      INDArray pooledOut = NdArrays.zeros(DataType.FLOAT, 24, side / 2, side / 2, 32);
      Window pool = Window.valid(2, 2, 2, 2);
      assertSameBits("small convolution, " + window, convOut,
          out -> Conv2D.forward(image, convKernel, convBias, window, out));
      assertSameBits("small convolution pooled, " + window, pooledOut,
          out -> Conv2D.forwardPooledRelu(image, convKernel, convBias, window, convOut, pool, out));
      assertSameBits("small convolution pooled for backward, " + window, convOut,
          trace -> Conv2D.forwardPooledReluForBackward(
              image, convKernel, convBias, window, trace, pool, pooledOut.ulike()));
      INDArray trace = convOut.ulike();
      INDArray convPooled = pooledOut.ulike();
      LanesGate.force(true);
      Conv2D.forwardPooledReluForBackward(
          image, convKernel, convBias, window, trace, pool, convPooled);
      INDArray dPooled = RandomArrays.uniform(60, convPooled.shape()).castTo(DataType.FLOAT);
      INDArray dBias = convBias.ulike();
      assertSameBits("small convolution's pooled gradient, " + window, convKernel,
          dKernel -> Conv2D.backwardPooledRelu(image, convKernel, convBias, trace, dPooled,
              window, pool, null, convPooled, dKernel, dBias));
    }
    INDArray nan = y.dup();
    nan.putScalar(nan.length() - 3, Float.NaN);
    for (boolean whole : new boolean[] {true, false}) {
      LanesGate.force(whole);
      assertTrue(FiniteLanes.allFinite(y), "finite, whole " + whole);
      assertFalse(FiniteLanes.allFinite(nan), "a NaN past the chunk, whole " + whole);
    }
  }

  private static void assertSameBits(String kernel, INDArray like, Consumer<INDArray> call) {
    float[][] results = new float[2][];
    List<Boolean> modes = List.of(true, false);
    for (int i = 0; i < 2; i++) {
      LanesGate.force(modes.get(i));
      INDArray out = like.ulike().assign(0);
      call.accept(out);
      results[i] = out.data().asFloat();
    }
    assertArrayEquals(results[0], results[1], kernel + ": cold (a chunk in lanes) against whole");
  }

  @Test
  void coldCallsInAFreshJvmAllocateAChunksWorth() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    List<String> lines = FreshJvm.lines(ColdLanesChild.class);
    int measured = 0;
    for (String line : lines) {
      String[] parts = line.split(" ");
      if (parts.length == 2 && parts[0].startsWith("cold-")) {
        long bytes = Long.parseLong(parts[1]);
        assertTrue(bytes <= COLD_CALL_LIMIT, "one of the first calls of " + parts[0]
            + " allocated " + bytes + " heap bytes, more than " + COLD_CALL_LIMIT);
        measured++;
      }
    }
    assertEquals(8, measured, "the child's output: " + lines);
  }
}
