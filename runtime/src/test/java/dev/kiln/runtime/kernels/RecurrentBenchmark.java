package dev.kiln.runtime.kernels;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Times one forward and backward pass of the recurrent kernels on the seed models' shapes, in
 * float32. Not a check: runs only with {@code -Dkiln.benchmark=true} and prints medians.
 */
@EnabledIfSystemProperty(named = "kiln.benchmark", matches = "true")
class RecurrentBenchmark {

  private static final int RUNS = Integer.getInteger("kiln.benchmark.runs", 9);

  private record Kernel(String name, int gates, boolean twoBiasRows,
      RecurrentChecks.Forward forward, RecurrentChecks.Backward backward) {}

  private static final Kernel[] KERNELS = {
    new Kernel("LSTM", 4, false, Lstm::forward, Lstm::backward),
    new Kernel("GRU", 3, true, Gru::forward, Gru::backward),
    new Kernel("SimpleRNN", 1, false, SimpleRnn::forward, SimpleRnn::backward),
  };

  @Test
  void units128() {
    time(64, 28, 28, 128);
    time(32, 784, 1, 128);
  }

  /** Runs the kernels in turn, so that they share whatever else the machine is doing. */
  static void time(int n, int steps, int in, int units) {
    double[][] forwardMs = new double[KERNELS.length][RUNS];
    double[][] totalMs = new double[KERNELS.length][RUNS];
    INDArray[][] arrays = new INDArray[KERNELS.length][];
    for (int i = 0; i < KERNELS.length; i++) {
      arrays[i] = arrays(KERNELS[i], n, steps, in, units);
    }
    for (int run = -2; run < RUNS; run++) {
      for (int i = 0; i < KERNELS.length; i++) {
        INDArray[] a = arrays[i];
        long start = System.nanoTime();
        KERNELS[i].forward().run(a[0], a[1], a[2], a[3], false, false, a[4]);
        long middle = System.nanoTime();
        KERNELS[i].backward().run(a[0], a[1], a[2], a[3], false, false, a[5], a[6], a[7], a[8], a[9]);
        long end = System.nanoTime();
        if (run >= 0) {
          forwardMs[i][run] = (middle - start) / 1e6;
          totalMs[i][run] = (end - start) / 1e6;
        }
      }
    }
    for (int i = 0; i < KERNELS.length; i++) {
      Arrays.sort(forwardMs[i]);
      Arrays.sort(totalMs[i]);
      System.out.printf(
          "%s(%d), x (%d, %d, %d) float32: forward %.1f ms, forward+backward %.1f ms"
              + " (medians of %d; forward+backward range %.1f-%.1f)%n",
          KERNELS[i].name(), units, n, steps, in, forwardMs[i][RUNS / 2], totalMs[i][RUNS / 2],
          RUNS, totalMs[i][0], totalMs[i][RUNS - 1]);
    }
  }

  /** x, kernel, recurrentKernel, bias, out, dOut, dKernel, dRecurrentKernel, dBias, dx. */
  private static INDArray[] arrays(Kernel kernel, int n, int steps, int in, int units) {
    DataType f = DataType.FLOAT;
    long width = (long) kernel.gates() * units;
    INDArray x = NdArrays.copy(RandomArrays.uniform(1, n, steps, in), f);
    INDArray w = NdArrays.copy(RandomArrays.uniform(2, in, width).muli(0.1), f);
    INDArray u = NdArrays.copy(RandomArrays.uniform(3, units, width).muli(0.1), f);
    INDArray b = kernel.twoBiasRows()
        ? NdArrays.copy(RandomArrays.uniform(4, 2, width).muli(0.1), f)
        : NdArrays.copy(RandomArrays.uniform(4, width).muli(0.1), f);
    INDArray out = NdArrays.zeros(f, n, units);
    INDArray dOut = NdArrays.copy(RandomArrays.uniform(5, n, units), f);
    return new INDArray[] {x, w, u, b, out, dOut, w.ulike(), u.ulike(), b.ulike(), x.ulike()};
  }
}
