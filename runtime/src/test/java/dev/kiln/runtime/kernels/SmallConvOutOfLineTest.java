package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The small convolution's pooled training path ({@link SmallConvLanes#forwardPooledReluTraced},
 * {@link SmallConvPoolGradient}) keeps its vectors in registers even where C2 leaves {@link
 * FloatLanes}' methods out of line: its loads and stores go through the Vector API with {@link
 * FloatLanes#at}. A vector passed to {@code FloatLanes.store} out of line is boxed; in some
 * benchmark JVMs that made the multiple-inputs network's training step 120-132 ms instead of
 * 25-29, and {@code -XX:CompileCommand=dontinline} on {@code store} does it every time.
 */
class SmallConvOutOfLineTest {

  /**
   * A call's own objects (its plan, lanes views and the second thread's tasks) take about 1.7 KB;
   * a boxed vector per load and store took 785 KB a call.
   */
  private static final long LIMIT = 16_000;

  private static final List<String> OUT_OF_LINE = List.of("-XX:CompileCommand=quiet",
      "-XX:CompileCommand=dontinline,dev.kiln.runtime.kernels.FloatLanes::*");

  @Test
  void pooledTrainingCallAllocatesNothingWithFloatLanesOutOfLine() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    long fewest = FreshJvm.bytesPerCall(OUT_OF_LINE, SmallConvOutOfLineTest.class,
        "fewestBytesPerPooledTrainingCall", null);
    assertTrue(fewest <= LIMIT, "a warmed-up pooled forward and gradient of a 4x4 convolution"
        + " allocated " + fewest + " bytes of heap a call with FloatLanes' methods out of line");
  }

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytesPerPooledTrainingCall() {
    Window window = Window.valid(4, 4, 1, 1);
    INDArray x = Nd4j.rand(DataType.FLOAT, 16, 28, 28, 1);
    INDArray kernel = Nd4j.rand(DataType.FLOAT, 4, 4, 1, 32).subi(0.5);
    INDArray bias = Nd4j.rand(DataType.FLOAT, 32).subi(0.5);
    INDArray pooled = Nd4j.zeros(DataType.FLOAT, 16, 12, 12, 32);
    INDArray trace = Nd4j.zeros(DataType.FLOAT, 16, 12, 12, 32);
    INDArray dPooled = Nd4j.rand(DataType.FLOAT, 16, 12, 12, 32);
    INDArray dKernel = Nd4j.zeros(DataType.FLOAT, 4, 4, 1, 32);
    INDArray dBias = Nd4j.zeros(DataType.FLOAT, 32);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long start = System.nanoTime();
    long fewest = Long.MAX_VALUE;
    // Until C2 has compiled the lanes and the gates have warmed.
    while (fewest > LIMIT && System.nanoTime() - start < 10_000_000_000L) {
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 10; i++) {
        SmallConvLanes.forwardPooledReluTraced(x, kernel, bias, window, pooled, trace);
        SmallConvPoolGradient.compute(x, kernel, trace, dPooled, window, dKernel, dBias);
      }
      fewest = Math.min(fewest, (threads.getCurrentThreadAllocatedBytes() - before) / 10);
    }
    return fewest;
  }
}
