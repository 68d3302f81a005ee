package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static dev.kiln.runtime.kernels.LayerChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class MultiplyTest {

  @Test
  void multipliesTwoInputs() {
    assertProduct(RandomArrays.uniform(1, 3, 4), RandomArrays.uniform(2, 3, 4));
  }

  @Test
  void multipliesThreeInputs() {
    assertProduct(
        RandomArrays.uniform(3, 2, 3, 2, 2),
        RandomArrays.uniform(4, 2, 3, 2, 2),
        RandomArrays.uniform(5, 2, 3, 2, 2));
  }

  @Test
  void backwardMatchesFiniteDifferencesForTwoInputs() {
    assertGradients(RandomArrays.uniform(6, 3, 4), RandomArrays.uniform(7, 3, 4));
  }

  @Test
  void backwardMatchesFiniteDifferencesForThreeInputs() {
    assertGradients(
        RandomArrays.uniform(8, 2, 2, 3), RandomArrays.uniform(9, 2, 2, 3), RandomArrays.uniform(10, 2, 2, 3));
  }

  @Test
  void backwardIsRightWhereAnInputIsZero() {
    // A gradient formed as product / input would be 0/0 here.
    INDArray a = RandomArrays.uniform(11, 2, 3);
    INDArray b = RandomArrays.uniform(12, 2, 3);
    INDArray c = RandomArrays.uniform(13, 2, 3);
    b.putScalar(new long[] {0, 1}, 0.0);
    b.putScalar(new long[] {1, 2}, 0.0);
    assertGradients(a, b, c);
  }

  @Test
  void nullGradientsAreSkipped() {
    INDArray a = RandomArrays.uniform(14, 2, 5);
    INDArray b = RandomArrays.uniform(15, 2, 5);
    INDArray c = RandomArrays.uniform(16, 2, 5);
    INDArray dOut = RandomArrays.uniform(17, 2, 5);
    INDArray dB = nans(2, 5);
    Multiply.backward(dOut, new INDArray[] {a, b, c}, new INDArray[] {null, dB, null});
    double[] expected = PlainArrays.values(dOut);
    double[] aValues = PlainArrays.values(a);
    double[] cValues = PlainArrays.values(c);
    for (int i = 0; i < expected.length; i++) {
      expected[i] *= aValues[i] * cValues[i];
    }
    assertValues(expected, dB, "dB");
  }

  @Test
  void rejectsInputsThatWouldBroadcast() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Multiply.forward(nans(3, 4), RandomArrays.uniform(18, 3, 4), RandomArrays.uniform(19, 3, 1)));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray[] inputs = {
      RandomArrays.uniform(20, 4, 3), RandomArrays.uniform(21, 4, 3), RandomArrays.uniform(22, 4, 3)
    };
    INDArray out = nans(4, 3);
    INDArray[] dInputs = {nans(4, 3), null, nans(4, 3)};
    assertNoSteadyStateAllocation(
        () -> {
          Multiply.forward(out, inputs);
          Multiply.backward(out, inputs, dInputs);
        });
  }

  private static void assertProduct(INDArray... inputs) {
    INDArray out = nansLike(inputs[0]);
    Multiply.forward(out, inputs);
    double[] expected = new double[(int) out.length()];
    java.util.Arrays.fill(expected, 1.0);
    for (INDArray input : inputs) {
      double[] values = PlainArrays.values(input);
      for (int i = 0; i < expected.length; i++) {
        expected[i] *= values[i];
      }
    }
    assertValues(expected, out, "product");
  }

  private static void assertGradients(INDArray... inputs) {
    INDArray out = nansLike(inputs[0]);
    INDArray r = RandomArrays.uniform(99, inputs[0].shape());
    INDArray[] dInputs = new INDArray[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      dInputs[i] = nansLike(inputs[i]);
    }
    Multiply.forward(out, inputs);
    Multiply.backward(r, inputs, dInputs);
    for (int i = 0; i < inputs.length; i++) {
      assertGradient("input " + i, () -> Multiply.forward(out, inputs), out, r, inputs[i], dInputs[i]);
    }
  }
}
