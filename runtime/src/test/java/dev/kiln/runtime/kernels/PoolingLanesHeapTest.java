package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float32 pooling, ReLU and small convolution lanes allocate no Java heap once C2 has
 * compiled them (see {@link LstmLanesHeapTest}): max pooling's backward pass first boxed a vector
 * carried through its window loop and allocated 96 MB a call over CnnFlat's first pooling. The arrays are small
 * enough to stay on this thread, whose allocations are counted.
 */
class PoolingLanesHeapTest {

  /** Heap bytes a warmed-up call may allocate: its few small objects. */
  private static final long LIMIT = 1024;

  private static final int CALLS = 20;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"2x2 tiles", "3x3 overlapping", "2x2 tiles through relu", "relu",
      "2x2 forward", "3x3 forward", "2x2 runs", "2x2 runs forward", "2x2 forward relu",
      "2x2 runs forward relu", "small conv", "small conv pooled", "small conv pooled for backward",
      "small conv pooled backward"})
  void warmedUpCallsAllocateNoHeap(String kernel) {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    long fewest = FreshJvm.bytesPerCall(PoolingLanesHeapTest.class, "fewestBytes", kernel);
    assertTrue(fewest <= LIMIT, kernel + ": a warmed-up call allocated at least " + fewest
        + " heap bytes, more than " + LIMIT + " (vectors boxed?)");
  }

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytes(String kernel) {
    DataType f = DataType.FLOAT;
    // 37 channels: whole vectors and a part of one; under MaxPoolLanes.TWO_THREADS values.
    INDArray x = RandomArrays.uniform(41, 2, 10, 12, 37).castTo(f);
    INDArray tilesOut = RandomArrays.uniform(42, 2, 5, 6, 37).castTo(f);
    INDArray overlappingOut = RandomArrays.uniform(43, 2, 5, 6, 37).castTo(f);
    INDArray dx = x.ulike();
    // 32 channels: whole vectors, whose 2x2 windows run side by side.
    INDArray whole = RandomArrays.uniform(44, 2, 10, 12, 32).castTo(f);
    INDArray wholeOut = RandomArrays.uniform(45, 2, 5, 6, 32).castTo(f);
    INDArray dWhole = whole.ulike();
    // A first convolution (SmallConvLanes), 4x4 over one channel into 32 filters.
    INDArray image = RandomArrays.uniform(46, 2, 10, 12, 1).castTo(f);
    INDArray convKernel = RandomArrays.uniform(47, 4, 4, 1, 32).castTo(f);
    INDArray convBias = RandomArrays.uniform(48, 32).castTo(f);
    INDArray convOut = RandomArrays.uniform(49, 2, 7, 9, 32).castTo(f);
    INDArray convPooled = RandomArrays.uniform(50, 2, 3, 4, 32).castTo(f);
    INDArray dConvPooled = RandomArrays.uniform(51, 2, 3, 4, 32).castTo(f);
    INDArray dConvKernel = convKernel.ulike();
    INDArray dConvBias = convBias.ulike();
    Conv2D.forwardPooledReluForBackward(image, convKernel, convBias, Window.valid(4, 4, 1, 1),
        convOut, Window.valid(2, 2, 2, 2), convPooled);
    Runnable call = switch (kernel) {
      case "2x2 tiles" ->
          () -> MaxPoolLanes.backward(x, tilesOut, Window.valid(2, 2, 2, 2), dx, false);
      case "3x3 overlapping" ->
          () -> MaxPoolLanes.backward(x, overlappingOut, Window.same(3, 3, 2, 2), dx, false);
      case "2x2 tiles through relu" ->
          () -> MaxPoolLanes.backward(x, tilesOut, Window.valid(2, 2, 2, 2), dx, true);
      case "2x2 forward" -> () -> MaxPoolLanes.forward(x, Window.valid(2, 2, 2, 2), tilesOut, false);
      case "3x3 forward" -> () -> MaxPoolLanes.forward(x, Window.same(3, 3, 2, 2), overlappingOut, false);
      case "2x2 runs" ->
          () -> MaxPoolLanes.backward(whole, wholeOut, Window.valid(2, 2, 2, 2), dWhole, true);
      case "2x2 runs forward" ->
          () -> MaxPoolLanes.forward(whole, Window.valid(2, 2, 2, 2), wholeOut, false);
      case "2x2 forward relu" ->
          () -> MaxPoolLanes.forward(x, Window.valid(2, 2, 2, 2), tilesOut, true);
      case "2x2 runs forward relu" ->
          () -> MaxPoolLanes.forward(whole, Window.valid(2, 2, 2, 2), wholeOut, true);
      case "small conv" -> () -> Conv2D.forward(
          image, convKernel, convBias, Window.valid(4, 4, 1, 1), convOut);
      case "small conv pooled" -> () -> Conv2D.forwardPooledRelu(image, convKernel, convBias,
          Window.valid(4, 4, 1, 1), convOut, Window.valid(2, 2, 2, 2), convPooled);
      case "small conv pooled for backward" -> () -> Conv2D.forwardPooledReluForBackward(image,
          convKernel, convBias, Window.valid(4, 4, 1, 1), convOut, Window.valid(2, 2, 2, 2),
          convPooled);
      case "small conv pooled backward" -> () -> Conv2D.backwardPooledRelu(image, convKernel,
          convBias, convOut, dConvPooled, Window.valid(4, 4, 1, 1), Window.valid(2, 2, 2, 2),
          null, convPooled, dConvKernel, dConvBias);
      default -> () -> ReluLanes.backward(x, dx);
    };
    return HeapPerCall.fewestBytes(call, CALLS, LIMIT);
  }
}
