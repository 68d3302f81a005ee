package dev.kiln.runtime.kernels;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Times Conv2D's backward pass with and without the input gradient (conv2d_bp against the
 * columns-and-product kernel gradient), and the forward pass, on the seed models' first layers,
 * in float32. Not a check: runs only with {@code -Dkiln.benchmark=true} and prints medians.
 */
@EnabledIfSystemProperty(named = "kiln.benchmark", matches = "true")
class Conv2DBenchmark {

  private static final int RUNS = Integer.getInteger("kiln.benchmark.runs", 15);

  @Test
  void seedShapes() {
    time(64, 28, 28, 1, 32, Window.valid(4, 4, 1, 1));
    time(64, 28, 28, 1, 16, Window.valid(8, 8, 1, 1));
    time(64, 28, 28, 1, 128, Window.valid(4, 4, 1, 1));
    time(64, 64, 64, 1, 32, Window.valid(4, 4, 1, 1));
    time(64, 32, 32, 3, 32, Window.valid(4, 4, 1, 1));
    time(64, 28, 28, 3, 32, Window.same(3, 3, 2, 2));
    time(64, 28, 28, 1, 16, Window.valid(3, 3, 1, 1).dilated(2, 2));
  }

  private static void time(int n, int h, int w, int c, int filters, Window window) {
    int oh = window.same() ? (h + window.strideHeight() - 1) / window.strideHeight()
        : (h - (window.height() - 1) * window.dilationHeight() - 1) / window.strideHeight() + 1;
    int ow = window.same() ? (w + window.strideWidth() - 1) / window.strideWidth()
        : (w - (window.width() - 1) * window.dilationWidth() - 1) / window.strideWidth() + 1;
    INDArray x = RandomArrays.uniform(1, n, h, w, c).castTo(DataType.FLOAT);
    INDArray kernel =
        RandomArrays.uniform(2, window.height(), window.width(), c, filters).castTo(DataType.FLOAT);
    INDArray bias = RandomArrays.uniform(3, filters).castTo(DataType.FLOAT);
    INDArray out = NdArrays.zeros(DataType.FLOAT, n, oh, ow, filters);
    INDArray dOut = RandomArrays.uniform(4, n, oh, ow, filters).castTo(DataType.FLOAT);
    INDArray dKernel = NdArrays.zeros(DataType.FLOAT, kernel.shape());
    INDArray dBias = NdArrays.zeros(DataType.FLOAT, filters);
    INDArray dx = NdArrays.zeros(DataType.FLOAT, x.shape());
    INDArray columns = NdArrays.zeros(DataType.FLOAT,
        (long) window.height() * window.width() * c, (long) n * oh * ow);
    Runnable[] parts = {
      () -> Conv2D.forward(x, kernel, bias, window, out),
      () -> Conv2D.backward(x, kernel, dOut, window, dKernel, dBias, dx),
      () -> Conv2D.backward(x, kernel, dOut, window, dKernel, dBias, null),
      () -> Conv2DKernelGradient.writeColumns(x, window, oh, ow, columns),
      () -> Matmul.rows(columns, dOut, dKernel, false, false),
      () -> Matmul.rows(columns, kernel, out, true, false),
      () -> dOut.sum(dBias, 0, 1, 2),
      () -> Conv2D.biasGradient(dOut, dBias),
    };
    String[] names = {"conv2d", "conv2d_bp", "weights only", "columns", "dKernel product",
        "forward product", "bias sum", "bias product"};
    double[][] ms = new double[parts.length][RUNS];
    for (int run = -3; run < RUNS; run++) {
      for (int i = 0; i < parts.length; i++) {
        long start = System.nanoTime();
        parts[i].run();
        if (run >= 0) {
          ms[i][run] = (System.nanoTime() - start) / 1e6;
        }
      }
    }
    StringBuilder line = new StringBuilder(
        n + "x" + h + "x" + w + "x" + c + " -> " + filters + " " + window + ":");
    for (int i = 0; i < parts.length; i++) {
      Arrays.sort(ms[i]);
      line.append(String.format(" %s %.2f ms,", names[i], ms[i][RUNS / 2]));
    }
    System.out.println(line);
  }
}
