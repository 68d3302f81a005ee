package dev.kiln.runtime.kernels;

import dev.kiln.runtime.testing.RandomArrays;
import java.lang.management.ManagementFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The JVM {@link LanesGateTest} starts: the most heap any of the first 3 calls of ReLU's backward
 * pass, max pooling's forward and backward passes, the input check's finite test and a small
 * convolution allocated on one thread, and the first call of its pooled paths, whose gates grow
 * their chunk, over 2^21 values each ({@code name bytes} per line). Interpreted lanes over all
 * of them would take 100 MB and more.
 */
public final class ColdLanesChild {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private ColdLanesChild() {}

  public static void main(String[] args) {
    // Past ReluLanes' and MaxPoolLanes' TWO_THREADS: the calling thread's half counts here.
    INDArray x = RandomArrays.uniform(61, 1, 256, 128, 64).subi(0.5).castTo(DataType.FLOAT);
    INDArray pooled = RandomArrays.uniform(62, 1, 128, 64, 64).castTo(DataType.FLOAT);
    INDArray dx = x.ulike();
    INDArray dy = RandomArrays.uniform(63, 1, 256, 128, 64).castTo(DataType.FLOAT);
    System.out.println("cold-relu " + mostBytes(() -> ReluLanes.backward(x, dy)));
    System.out.println("cold-pool-forward "
        + mostBytes(() -> MaxPoolLanes.forward(x, Window.valid(2, 2, 2, 2), pooled, false)));
    System.out.println("cold-pool-backward "
        + mostBytes(() -> MaxPoolLanes.backward(x, pooled, Window.valid(2, 2, 2, 2), dx, true)));
    System.out.println("cold-finite " + mostBytes(() -> FiniteLanes.allFinite(x)));
    // A first convolution (3x3, same padding, 64 filters) on a 128x128 image, 2^20 outputs.
    INDArray image = RandomArrays.uniform(64, 1, 128, 128, 1).castTo(DataType.FLOAT);
    INDArray kernel = RandomArrays.uniform(65, 3, 3, 1, 64).subi(0.5).castTo(DataType.FLOAT);
    INDArray bias = RandomArrays.uniform(66, 64).castTo(DataType.FLOAT);
    INDArray convOut = RandomArrays.uniform(68, 1, 128, 128, 64).castTo(DataType.FLOAT);
    INDArray convPooled = RandomArrays.uniform(69, 1, 64, 64, 64).castTo(DataType.FLOAT);
    INDArray dConvPooled = RandomArrays.uniform(70, 1, 64, 64, 64).castTo(DataType.FLOAT);
    Window same = Window.same(3, 3, 1, 1);
    Window pool = Window.valid(2, 2, 2, 2);
    System.out.println("cold-small-conv " + mostBytes(
        () -> Conv2D.forward(image, kernel, bias, same, convOut)));
    // The pooled paths' chunks grow with each cold call (SmallConvLanes.COLD_GROWTH): the first.
    System.out.println("cold-small-conv-pooled " + firstBytes(() -> Conv2D.forwardPooledRelu(
        image, kernel, bias, same, convOut, pool, convPooled)));
    System.out.println("cold-small-conv-traced " + firstBytes(
        () -> Conv2D.forwardPooledReluForBackward(image, kernel, bias, same, convOut, pool,
            convPooled)));
    INDArray dKernel = kernel.ulike();
    INDArray dBias = bias.ulike();
    System.out.println("cold-small-conv-gradient " + firstBytes(() -> Conv2D.backwardPooledRelu(
        image, kernel, bias, convOut, dConvPooled, same, pool, null, convPooled, dKernel,
        dBias)));
  }

  private static long mostBytes(Runnable call) {
    return mostBytes(call, 3);
  }

  private static long firstBytes(Runnable call) {
    return mostBytes(call, 1);
  }

  private static long mostBytes(Runnable call, int calls) {
    long thread = Thread.currentThread().getId();
    long most = 0;
    for (int i = 0; i < calls; i++) {
      long before = THREADS.getThreadAllocatedBytes(thread);
      call.run();
      most = Math.max(most, THREADS.getThreadAllocatedBytes(thread) - before);
    }
    return most;
  }
}
