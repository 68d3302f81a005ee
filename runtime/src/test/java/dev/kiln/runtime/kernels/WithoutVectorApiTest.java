package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.RandomArrays;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float32 kernels with lanes run in a JVM started without {@code --add-modules
 * jdk.incubator.vector}, as a user's may be: there the lanes classes must never load (they name
 * the module's types), and libnd4j's ops give the same values. The tests' own JVMs have the
 * module, so the check runs in a child JVM ({@link Child}).
 */
class WithoutVectorApiTest {

  @Test
  void float32PoolingAndReluRunWithoutTheModule() throws IOException, InterruptedException {
    Process child = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Child.class.getName()))
        .redirectErrorStream(true).start();
    List<String> lines;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      lines = out.lines().toList();
    }
    assertEquals(0, child.waitFor(), "the child JVM failed:\n" + String.join("\n", lines));
    assertTrue(lines.contains("ok without the Vector API"), String.join("\n", lines));
  }

  /**
   * Max pooling forward, backward and through a ReLU, a large ReLU gradient, a convolution with its
   * ReLU and pooling, Dense's bias passes and the squared error, in float32.
   */
  public static final class Child {
    public static void main(String[] args) {
      if (VectorApi.ENABLED) {
        throw new IllegalStateException("started with the Vector API");
      }
      // Past JavaLoops' size and the lanes' two-thread size, 2x2 windows over 32 channels.
      INDArray z = RandomArrays.uniform(1, 4, 34, 34, 32);
      INDArray y = z.dup();
      Relu.forward(y);
      INDArray dOut = RandomArrays.uniform(2, 4, 17, 17, 32);
      Window window = Window.valid(2, 2, 2, 2);
      INDArray pooled64 = KernelChecks.nans(4, 17, 17, 32);
      INDArray dz64 = KernelChecks.nansLike(z);
      MaxPool2D.forward(y, window, pooled64);
      MaxPool2D.backward(y, dOut, window, dz64);
      Relu.backward(y, dz64);
      INDArray y32 = y.castTo(DataType.FLOAT);
      INDArray pooled32 = pooled64.castTo(DataType.FLOAT);
      INDArray dz32 = dz64.castTo(DataType.FLOAT).assign(Float.NaN);
      MaxPool2D.forward(y32, window, pooled32);
      MaxPool2D.backwardThroughRelu(y32, dOut.castTo(DataType.FLOAT), window, dz32);
      KernelChecks.assertCloseToFloat64(pooled64, pooled32, "pooled");
      KernelChecks.assertCloseToFloat64(dz64, dz32, "dz");
      INDArray dy64 = KernelChecks.nansLike(z).assign(dOut.reshape(-1).getDouble(0));
      INDArray dy32 = dy64.castTo(DataType.FLOAT);
      Relu.backward(y, dy64);
      Relu.backward(y32, dy32);
      KernelChecks.assertCloseToFloat64(dy64, dy32, "relu");
      firstConvolutionPooledInTraining();
      biasRowsAndSquaredError();
      System.out.println("ok without the Vector API");
    }

    /** Dense's bias add and bias gradient past JavaLoops' size, and the squared error's pass. */
    private static void biasRowsAndSquaredError() {
      INDArray rows = RandomArrays.uniform(7, 1100, 128);
      INDArray bias = RandomArrays.uniform(8, 128);
      INDArray target = RandomArrays.uniform(9, 1100, 128);
      INDArray[] float64 = biasAndError(rows, bias, target);
      INDArray[] float32 = biasAndError(rows.castTo(DataType.FLOAT),
          bias.castTo(DataType.FLOAT), target.castTo(DataType.FLOAT));
      KernelChecks.assertCloseToFloat64(float64[0], float32[0], "bias added");
      KernelChecks.assertCloseToFloat64(float64[1], float32[1], "bias gradient");
      KernelChecks.assertCloseToFloat64(float64[2], float32[2], "squared error's gradient");
      KernelChecks.assertCloseToFloat64(float64[3], float32[3], "squared error");
    }

    private static INDArray[] biasAndError(INDArray rows, INDArray bias, INDArray target) {
      INDArray added = rows.dup();
      Dense.addBias(added, bias);
      INDArray sums = bias.ulike();
      Dense.biasGradient(added, sums);
      INDArray gradient = rows.ulike();
      double loss = dev.kiln.runtime.losses.MeanSquaredError.compute(added, target, 1, gradient);
      return new INDArray[] {added, sums, gradient, Nd4j.scalar(rows.dataType(), loss)};
    }

    /** A training step's first convolution, ReLU and pooling: the layers one by one. */
    private static void firstConvolutionPooledInTraining() {
      INDArray x = RandomArrays.uniform(3, 2, 9, 10, 1);
      INDArray kernel = RandomArrays.uniform(4, 4, 4, 1, 32);
      INDArray bias = RandomArrays.uniform(5, 32);
      INDArray dPooled = RandomArrays.uniform(6, 2, 3, 3, 32);
      Window conv = Window.valid(4, 4, 1, 1);
      Window pool = Window.valid(2, 2, 2, 2);
      INDArray[] float64 = pooledConvolutionGradients(x, kernel, bias, dPooled, conv, pool);
      INDArray[] float32 = pooledConvolutionGradients(x.castTo(DataType.FLOAT),
          kernel.castTo(DataType.FLOAT), bias.castTo(DataType.FLOAT),
          dPooled.castTo(DataType.FLOAT), conv, pool);
      KernelChecks.assertCloseToFloat64(float64[0], float32[0], "pooled convolution");
      KernelChecks.assertCloseToFloat64(float64[1], float32[1], "its kernel gradient");
      KernelChecks.assertCloseToFloat64(float64[2], float32[2], "its bias gradient");
    }

    private static INDArray[] pooledConvolutionGradients(INDArray x, INDArray kernel,
        INDArray bias, INDArray dPooled, Window conv, Window pool) {
      INDArray out = Nd4j.zeros(x.dataType(), 2, 6, 7, 32);
      INDArray pooled = dPooled.ulike();
      INDArray dKernel = kernel.ulike();
      INDArray dBias = bias.ulike();
      Conv2D.forwardPooledReluForBackward(x, kernel, bias, conv, out, pool, pooled);
      Conv2D.backwardPooledRelu(
          x, kernel, bias, out, dPooled, conv, pool, out.ulike(), pooled, dKernel, dBias);
      return new INDArray[] {pooled, dKernel, dBias};
    }
  }
}
