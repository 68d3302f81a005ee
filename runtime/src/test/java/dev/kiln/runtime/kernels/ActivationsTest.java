package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.dot;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.DoubleSupplier;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Relu, Sigmoid, Tanh and Softmax: forward values and backward gradients. */
class ActivationsTest {

  private static final double VALUES = 1e-10;
  private static final double GRADIENTS = 1e-5;
  private static final long[] MATRIX = {4, 5};
  private static final long[] RANK3 = {2, 3, 4};

  private static final BiConsumer<INDArray, INDArray> RELU_FORWARD =
      (z, y) -> {
        y.assign(z);
        Relu.forward(y);
      };

  @Test
  void reluForwardIsMaxWithZeroInPlace() {
    for (long[] shape : new long[][] {MATRIX, RANK3}) {
      INDArray x = RandomArrays.uniform(1, shape);
      double[] expected = elementwise(values(x), v -> Math.max(v, 0));
      Relu.forward(x);
      assertAllClose(expected, x, VALUES, "relu " + Arrays.toString(shape));
    }
  }

  @Test
  void reluBackwardFromOutputMatchesFiniteDifferences() {
    for (long[] shape : new long[][] {MATRIX, RANK3}) {
      INDArray z = RandomArrays.uniform(1, shape);
      INDArray y = z.dup();
      Relu.forward(y);
      INDArray dy = RandomArrays.uniform(2, shape);
      Relu.backward(y, dy);
      assertGradient(RELU_FORWARD, z, dy, 2, "relu " + Arrays.toString(shape));
    }
  }

  @Test
  void sigmoidForwardMatchesPlainLoop() {
    checkForward(Sigmoid::forward, v -> 1 / (1 + Math.exp(-v)), "sigmoid");
  }

  @Test
  void sigmoidBackwardMatchesFiniteDifferences() {
    checkBackward(Sigmoid::forward, Sigmoid::backward, "sigmoid");
  }

  @Test
  void tanhForwardMatchesPlainLoop() {
    checkForward(Tanh::forward, Math::tanh, "tanh");
  }

  @Test
  void tanhBackwardMatchesFiniteDifferences() {
    checkBackward(Tanh::forward, Tanh::backward, "tanh");
  }

  @Test
  void softmaxForwardNormalisesOverLastAxis() {
    for (long[] shape : new long[][] {MATRIX, RANK3}) {
      INDArray z = RandomArrays.uniform(1, shape).muli(3);
      double[] expected = softmaxRows(values(z), (int) shape[shape.length - 1]);
      INDArray y = Nd4j.zeros(DataType.DOUBLE, shape);
      Softmax.forward(z, y);
      assertAllClose(expected, y, VALUES, "softmax " + Arrays.toString(shape));
      Softmax.forward(z, z);
      assertAllClose(expected, z, VALUES, "softmax in place " + Arrays.toString(shape));
    }
  }

  @Test
  void softmaxBackwardOfMatrixMatchesFiniteDifferences() {
    checkSoftmaxBackward(MATRIX);
  }

  @Test
  void softmaxBackwardOfRank3MatchesFiniteDifferences() {
    checkSoftmaxBackward(RANK3);
  }

  private static void checkSoftmaxBackward(long[] shape) {
    INDArray z = RandomArrays.uniform(1, shape).muli(3);
    INDArray dy = RandomArrays.uniform(2, shape);
    // Softmax.backward consumes its z argument, so it gets a copy.
    Softmax.backward(z.dup(), dy);
    assertGradient(Softmax::forward, z, dy, 2, "softmax " + Arrays.toString(shape));
  }

  private static void checkForward(
      BiConsumer<INDArray, INDArray> forward, DoubleUnaryOperator f, String name) {
    for (long[] shape : new long[][] {MATRIX, RANK3}) {
      INDArray z = RandomArrays.uniform(1, shape).muli(3);
      double[] expected = elementwise(values(z), f);
      INDArray y = RandomArrays.uniform(9, shape);
      forward.accept(z, y);
      assertAllClose(expected, y, VALUES, name + " " + Arrays.toString(shape));
      forward.accept(z, z);
      assertAllClose(expected, z, VALUES, name + " in place " + Arrays.toString(shape));
    }
  }

  private static void checkBackward(
      BiConsumer<INDArray, INDArray> forward,
      BiConsumer<INDArray, INDArray> backward,
      String name) {
    for (long[] shape : new long[][] {MATRIX, RANK3}) {
      INDArray z = RandomArrays.uniform(1, shape).muli(3);
      INDArray zBefore = z.dup();
      INDArray dy = RandomArrays.uniform(2, shape);
      backward.accept(z, dy);
      assertArrayEquals(values(zBefore), values(z), name + " backward must not change z");
      assertGradient(forward, z, dy, 2, name + " " + Arrays.toString(shape));
    }
  }

  /**
   * Compares {@code dz} with the finite-difference gradient of {@code sum(f(z) * R)}, where R is
   * the array {@code RandomArrays.uniform(rSeed)} that was passed to backward as {@code dy}.
   */
  private static void assertGradient(
      BiConsumer<INDArray, INDArray> forward, INDArray z, INDArray dz, long rSeed, String what) {
    double[] r = values(RandomArrays.uniform(rSeed, z.shape()));
    DoubleSupplier loss =
        () -> {
          INDArray y = Nd4j.zeros(DataType.DOUBLE, z.shape());
          forward.accept(z, y);
          return dot(values(y), r);
        };
    double error =
        FiniteDifferences.maxRelativeError(
            loss, z.reshape(z.length()), dz.reshape(z.length()), Integer.MAX_VALUE, 0);
    assertTrue(error < GRADIENTS, what + ": max relative error " + error + " >= " + GRADIENTS);
  }

  private static double[] elementwise(double[] x, DoubleUnaryOperator f) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = f.applyAsDouble(x[i]);
    }
    return y;
  }

  static double[] softmaxRows(double[] z, int classes) {
    double[] p = new double[z.length];
    for (int row = 0; row < z.length / classes; row++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, z[row * classes + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        p[row * classes + c] = Math.exp(z[row * classes + c] - max);
        sum += p[row * classes + c];
      }
      for (int c = 0; c < classes; c++) {
        p[row * classes + c] /= sum;
      }
    }
    return p;
  }
}
