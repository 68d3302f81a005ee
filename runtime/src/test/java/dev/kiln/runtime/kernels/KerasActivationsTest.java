package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import dev.kiln.runtime.testing.TorchFixtures;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The activations after Keras 3 (GELU, SiLU, leaky ReLU, ELU, SELU, softplus, softsign, hard
 * sigmoid, exponential): forward values and gradients against PyTorch's in float64, where the
 * fixture script passes Keras' constants to PyTorch (leaky slope 0.2 rather than 0.01; GELU exact
 * as Keras' default); backward against central finite differences away from the kinks; float32.
 */
class KerasActivationsTest {

  private record Pair(BiConsumer<INDArray, INDArray> forward,
      BiConsumer<INDArray, INDArray> backward) {}

  private static final Map<String, Pair> KERNELS = new LinkedHashMap<>();

  static {
    KERNELS.put("GELU", new Pair(Gelu::forward, Gelu::backward));
    KERNELS.put("GELU_TANH", new Pair(GeluTanh::forward, GeluTanh::backward));
    KERNELS.put("SILU", new Pair(Silu::forward, Silu::backward));
    KERNELS.put("LEAKY_RELU", new Pair(LeakyRelu::forward, LeakyRelu::backward));
    KERNELS.put("LEAKY_RELU_0.3", new Pair(
        (z, y) -> LeakyRelu.forward(z, 0.3, y), (z, dy) -> LeakyRelu.backward(z, 0.3, dy)));
    KERNELS.put("ELU", new Pair(Elu::forward, Elu::backward));
    KERNELS.put("SELU", new Pair(Selu::forward, Selu::backward));
    KERNELS.put("SOFTPLUS", new Pair(Softplus::forward, Softplus::backward));
    KERNELS.put("SOFTSIGN", new Pair(Softsign::forward, Softsign::backward));
    KERNELS.put("HARD_SIGMOID", new Pair(HardSigmoid::forward, HardSigmoid::backward));
    KERNELS.put("EXPONENTIAL", new Pair(Exponential::forward, Exponential::backward));
  }

  @Test
  void forwardAndGradientEqualPyTorchsInFloat64() {
    INDArray x = TorchFixtures.array("activation.x", 46);
    INDArray r = TorchFixtures.array("activation.r", 46);
    for (Map.Entry<String, Pair> kernel : KERNELS.entrySet()) {
      INDArray y = KernelChecks.nansLike(x);
      kernel.getValue().forward().accept(x, y);
      TorchFixtures.assertMatches(kernel.getKey() + ".y", y);
      INDArray dy = r.dup();
      kernel.getValue().backward().accept(x, dy);
      TorchFixtures.assertMatches(kernel.getKey() + ".dx", dy);
    }
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    for (Map.Entry<String, Pair> kernel : KERNELS.entrySet()) {
      // Uniform in (-1, 1) times 4: no entry within a finite-difference step of a kink.
      INDArray z = RandomArrays.uniform(3, 4, 5).muli(4);
      INDArray zBefore = z.dup();
      INDArray r = RandomArrays.uniform(4, 4, 5);
      INDArray dz = r.dup();
      kernel.getValue().backward().accept(z, dz);
      assertArrayEquals(values(zBefore), values(z), kernel.getKey() + ": backward changed z");
      INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, 5);
      KernelChecks.assertGradient(kernel.getKey(), () -> kernel.getValue().forward().accept(z, y),
          y, r, z, dz);
    }
  }

  @Test
  void forwardInPlaceAndInFloat32AgreeWithFloat64() {
    INDArray z = RandomArrays.uniform(5, 3, 2, 4).muli(5);
    for (Map.Entry<String, Pair> kernel : KERNELS.entrySet()) {
      INDArray expected = KernelChecks.nansLike(z);
      kernel.getValue().forward().accept(z, expected);
      INDArray inPlace = z.dup();
      kernel.getValue().forward().accept(inPlace, inPlace);
      assertArrayEquals(values(expected), values(inPlace), kernel.getKey() + " in place");
      INDArray single = z.castTo(DataType.FLOAT);
      kernel.getValue().forward().accept(single, single);
      KernelChecks.assertCloseToFloat64(expected, single, kernel.getKey() + " float32");
    }
  }

  @Test
  void aViewThatIsNotContiguousIsComputedAsACopy() {
    INDArray z = RandomArrays.uniform(6, 4, 3).muli(3);
    INDArray transposed = z.transpose();
    INDArray y = Nd4j.zeros(DataType.DOUBLE, 3, 4);
    Gelu.forward(transposed, y);
    INDArray expected = Nd4j.zeros(DataType.DOUBLE, 3, 4);
    Gelu.forward(transposed.dup('c'), expected);
    assertArrayEquals(values(expected), values(y));
  }

  @Test
  void geluOfALargeArrayInTwoHalvesEqualsItValueByValue() {
    long n = Gelu.TWO_THREADS * 2 + 3;
    INDArray z = RandomArrays.uniform(8, n).muli(6);
    INDArray y = Nd4j.zeros(DataType.DOUBLE, n);
    Gelu.forward(z, y);
    INDArray dy = RandomArrays.uniform(9, n);
    INDArray r = dy.dup();
    Gelu.backward(z, dy);
    for (long i = 0; i < n; i++) {
      double x = z.getDouble(i);
      assertEquals(Gelu.value(x), y.getDouble(i), 0, "gelu at " + i);
      assertEquals(r.getDouble(i) * Gelu.derivative(x), dy.getDouble(i), 0, "gradient at " + i);
    }
  }

  @Test
  void kinksTakeKerasSides() {
    INDArray z = PlainArrays.doubles(new double[] {0, -3, 3}, 3);
    INDArray dy = Nd4j.ones(DataType.DOUBLE, 3);
    LeakyRelu.backward(z, dy);
    assertEquals(0.2, dy.getDouble(0), 0, "leaky slope at 0");
    dy = Nd4j.ones(DataType.DOUBLE, 3);
    HardSigmoid.backward(z, dy);
    assertArrayEquals(new double[] {1.0 / 6, 0, 0}, values(dy), "relu6's corners");
    INDArray y = Nd4j.zeros(DataType.DOUBLE, 3);
    HardSigmoid.forward(z, y);
    assertArrayEquals(new double[] {0.5, 0, 1}, values(y), "relu6(x + 3) / 6");
    assertTrue(Math.abs(Selu.SCALE * Selu.ALPHA - 1.7580993408473766) < 1e-15);
  }
}
