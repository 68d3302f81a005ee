package dev.kiln.runtime.kernels;

import dev.kiln.runtime.testing.RandomArrays;
import java.lang.management.ManagementFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The JVM {@link LanesGateTest} starts: the most heap any of the first 3 calls of ReLU's backward
 * pass, max pooling's forward and backward passes and the input check's finite test allocated
 * on one thread, over 2^21 values each ({@code name bytes} per line). Interpreted lanes over all
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
  }

  private static long mostBytes(Runnable call) {
    long thread = Thread.currentThread().getId();
    long most = 0;
    for (int i = 0; i < 3; i++) {
      long before = THREADS.getThreadAllocatedBytes(thread);
      call.run();
      most = Math.max(most, THREADS.getThreadAllocatedBytes(thread) - before);
    }
    return most;
  }
}
