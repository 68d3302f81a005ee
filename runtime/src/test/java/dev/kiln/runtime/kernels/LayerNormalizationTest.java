package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.testing.RandomArrays;
import dev.kiln.runtime.testing.TorchFixtures;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNormalization against PyTorch's {@code layer_norm} in float64, given Keras' epsilon 1e-3
 * (PyTorch's default is 1e-5; Kiln follows Keras), and against finite differences.
 */
class LayerNormalizationTest {

  private static final double EPSILON = 1e-3;

  @Test
  void lastAxisEqualsPyTorch() {
    checkAgainstTorch("layernorm.last", new long[] {3, 4, 5}, 5);
  }

  @Test
  void lastTwoAxesEqualPyTorch() {
    checkAgainstTorch("layernorm.last2", new long[] {2, 3, 4}, 12);
  }

  private static void checkAgainstTorch(String name, long[] shape, int features) {
    INDArray x = TorchFixtures.array(name + ".x", shape);
    INDArray gamma = TorchFixtures.array(name + ".gamma", features);
    INDArray beta = TorchFixtures.array(name + ".beta", features);
    INDArray y = KernelChecks.nansLike(x);
    LayerNormalization.forward(x, gamma, beta, features, EPSILON, y);
    TorchFixtures.assertMatches(name + ".y", y);
    INDArray dOut = TorchFixtures.array(name + ".r", shape);
    INDArray dx = KernelChecks.nansLike(x);
    INDArray dGamma = KernelChecks.nans(features);
    INDArray dBeta = KernelChecks.nans(features);
    LayerNormalization.backward(x, gamma, features, EPSILON, dOut, dGamma, dBeta, dx);
    TorchFixtures.assertMatches(name + ".dx", dx);
    TorchFixtures.assertMatches(name + ".dgamma", dGamma);
    TorchFixtures.assertMatches(name + ".dbeta", dBeta);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (boolean affine : new boolean[] {true, false}) {
      INDArray x = RandomArrays.uniform(1, 3, 2, 6).muli(3);
      INDArray gamma = affine ? RandomArrays.uniform(2, 6).addi(1.5) : null;
      INDArray beta = affine ? RandomArrays.uniform(3, 6) : null;
      INDArray r = RandomArrays.uniform(4, 3, 2, 6);
      INDArray y = KernelChecks.nansLike(x);
      Runnable forward = () -> LayerNormalization.forward(x, gamma, beta, 6, EPSILON, y);
      INDArray dx = KernelChecks.nansLike(x);
      INDArray dGamma = affine ? KernelChecks.nans(6) : null;
      INDArray dBeta = affine ? KernelChecks.nans(6) : null;
      LayerNormalization.backward(x, gamma, 6, EPSILON, r, dGamma, dBeta, dx);
      String what = affine ? "with gamma and beta" : "without";
      KernelChecks.assertGradient("dx " + what, forward, y, r, x, dx);
      if (affine) {
        KernelChecks.assertGradient("dGamma", forward, y, r, gamma, dGamma);
        KernelChecks.assertGradient("dBeta", forward, y, r, beta, dBeta);
      }
    }
  }

  @Test
  void inputGradientMayOverwriteTheOutputGradient() {
    INDArray x = RandomArrays.uniform(5, 4, 7);
    INDArray gamma = RandomArrays.uniform(6, 7);
    INDArray dOut = RandomArrays.uniform(7, 4, 7);
    INDArray dx = KernelChecks.nansLike(x);
    LayerNormalization.backward(x, gamma, 7, EPSILON, dOut, null, null, dx);
    LayerNormalization.backward(x, gamma, 7, EPSILON, dOut, null, null, dOut);
    assertArrayEquals(values(dx), values(dOut));
  }

  @Test
  void float32AgreesWithFloat64AndAllocatesNothing() {
    INDArray x = RandomArrays.uniform(8, 4, 3, 5).muli(4).addi(2);
    INDArray gamma = RandomArrays.uniform(9, 5);
    INDArray beta = RandomArrays.uniform(10, 5);
    INDArray expected = KernelChecks.nansLike(x);
    LayerNormalization.forward(x, gamma, beta, 5, EPSILON, expected);
    INDArray single = x.castTo(DataType.FLOAT);
    INDArray out = KernelChecks.nansLike(single);
    LayerNormalization.forward(single, gamma.castTo(DataType.FLOAT), beta.castTo(DataType.FLOAT),
        5, EPSILON, out);
    KernelChecks.assertCloseToFloat64(expected, out, "float32 LayerNormalization");
    INDArray dx = KernelChecks.nansLike(x);
    KernelChecks.assertNoSteadyStateAllocation(() -> {
      LayerNormalization.forward(x, gamma, beta, 5, EPSILON, expected);
      LayerNormalization.backward(x, gamma, 5, EPSILON, expected, null, null, dx);
    });
  }

  @Test
  void refusesParametersOfAnotherSize() {
    INDArray x = RandomArrays.uniform(11, 2, 6);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> LayerNormalization.forward(x, RandomArrays.uniform(12, 5), null, 6, EPSILON,
            x.dup()));
    assertEquals("LayerNormalization parameter has 5 values, expected 6", e.getMessage());
  }
}
