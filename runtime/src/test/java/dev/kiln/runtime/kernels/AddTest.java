package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static dev.kiln.runtime.kernels.LayerChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AddTest {

  @Test
  void sumsTwoInputs() {
    assertSum(RandomArrays.uniform(1, 3, 4), RandomArrays.uniform(2, 3, 4));
  }

  @Test
  void sumsThreeInputs() {
    assertSum(
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
  void nullGradientsAreSkipped() {
    INDArray dOut = RandomArrays.uniform(11, 2, 5);
    INDArray dB = nans(2, 5);
    Add.backward(dOut, null, dB, null);
    assertValues(PlainArrays.values(dOut), dB, "dB");
  }

  @Test
  void rejectsInputsThatWouldBroadcast() {
    // libnd4j's add would broadcast the row over the matrix without complaint.
    assertThrows(
        IllegalArgumentException.class,
        () -> Add.forward(nans(3, 4), RandomArrays.uniform(12, 3, 4), RandomArrays.uniform(13, 1, 4)));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray a = RandomArrays.uniform(14, 4, 3);
    INDArray b = RandomArrays.uniform(15, 4, 3);
    INDArray c = RandomArrays.uniform(16, 4, 3);
    INDArray out = nans(4, 3);
    INDArray dA = nans(4, 3);
    INDArray dC = nans(4, 3);
    assertNoSteadyStateAllocation(
        () -> {
          Add.forward(out, a, b, c);
          Add.backward(out, dA, null, dC);
        });
  }

  @Test
  void largeFloatArraysAndTheirGradientCopies() {
    long n = (1 << 17) + 1;
    INDArray a = RandomArrays.uniform(21, n).muli(1e3).castTo(DataType.FLOAT);
    INDArray b = RandomArrays.uniform(22, n).muli(1e-3).castTo(DataType.FLOAT);
    INDArray c = RandomArrays.uniform(23, n).castTo(DataType.FLOAT);
    INDArray out = Nd4j.zeros(DataType.FLOAT, n);
    Add.forward(out, a, b, c);
    INDArray expected = Nd4j.zeros(DataType.FLOAT, n);
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(a, b, expected));
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(expected, c,
        expected));
    assertEquals(expected, out);
    INDArray dA = Nd4j.zeros(DataType.FLOAT, n);
    Add.backward(out, dA, null);
    assertEquals(out, dA);
  }

  private static void assertSum(INDArray... inputs) {
    INDArray out = nansLike(inputs[0]);
    Add.forward(out, inputs);
    double[] expected = new double[(int) out.length()];
    for (INDArray input : inputs) {
      double[] values = PlainArrays.values(input);
      for (int i = 0; i < expected.length; i++) {
        expected[i] += values[i];
      }
    }
    assertValues(expected, out, "sum");
  }

  private static void assertGradients(INDArray... inputs) {
    INDArray out = nansLike(inputs[0]);
    INDArray r = RandomArrays.uniform(99, inputs[0].shape());
    INDArray[] dInputs = new INDArray[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      dInputs[i] = nansLike(inputs[i]);
    }
    Add.forward(out, inputs);
    Add.backward(r, dInputs);
    for (int i = 0; i < inputs.length; i++) {
      assertGradient("input " + i, () -> Add.forward(out, inputs), out, r, inputs[i], dInputs[i]);
    }
  }
}
