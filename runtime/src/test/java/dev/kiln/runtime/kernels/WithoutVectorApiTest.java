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

  /** Max pooling forward, backward and through a ReLU, and a large ReLU gradient, in float32. */
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
      System.out.println("ok without the Vector API");
    }
  }
}
