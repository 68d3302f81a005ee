package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.assertCloseToFloat64;
import static dev.kiln.runtime.kernels.KernelChecks.assertGradient;
import static dev.kiln.runtime.kernels.KernelChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.Padding;
import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Conv1D against float64 central finite differences for every padding with strides and dilation,
 * float32 against float64, and no allocation once warm. Its values against PyTorch's are in
 * {@link SequenceLayersTorchTest}.
 */
class Conv1DTest {

  record Case(int n, int steps, int c, int filters, SequenceWindow window) {
    long[] x() {
      return new long[] {n, steps, c};
    }

    long[] kernel() {
      return new long[] {window.size(), c, filters};
    }

    long[] out() {
      return new long[] {n, window.outputLength(steps), filters};
    }

    @Override
    public String toString() {
      return n + "x" + steps + "x" + c + " -> " + filters + ", " + window;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(Padding.VALID, Padding.SAME, Padding.CAUSAL).flatMap(padding -> Stream.of(
        new Case(2, 7, 3, 2, new SequenceWindow(3, 1, 1, padding)),
        new Case(2, 9, 2, 3, new SequenceWindow(4, 2, 1, padding)),
        new Case(1, 8, 2, 2, new SequenceWindow(3, 1, 2, padding)),
        new Case(2, 5, 1, 2, new SequenceWindow(1, 3, 1, padding))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardMatchesFiniteDifferences(Case k) {
    INDArray x = RandomArrays.uniform(1, k.x());
    INDArray kernel = RandomArrays.uniform(2, k.kernel());
    INDArray bias = RandomArrays.uniform(3, k.filters());
    INDArray r = RandomArrays.uniform(4, k.out());
    INDArray out = nans(k.out());
    INDArray dx = nansLike(x);
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    Conv1D.backward(x, kernel, r, k.window(), dKernel, dBias, dx);
    Runnable run = () -> Conv1D.forward(x, kernel, bias, k.window(), out);
    assertGradient("dx", run, out, r, x, dx);
    assertGradient("dKernel", run, out, r, kernel, dKernel);
    assertGradient("dBias", run, out, r, bias, dBias);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void withoutInputGradientWritesTheSameKernelGradient(Case k) {
    INDArray x = RandomArrays.uniform(5, k.x());
    INDArray kernel = RandomArrays.uniform(6, k.kernel());
    INDArray dOut = RandomArrays.uniform(7, k.out());
    INDArray expected = nansLike(kernel);
    Conv1D.backward(x, kernel, dOut, k.window(), expected, nans(k.filters()), nansLike(x));
    INDArray dKernel = nansLike(kernel);
    Conv1D.backward(x, kernel, dOut, k.window(), dKernel, null, null);
    PlainArrays.assertAllClose(PlainArrays.values(expected), dKernel, 1e-12, "dKernel");
  }

  /** float32 runs on oneDNN where the backend has it (undilated windows), float64 never does. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32AgreesWithFloat64(Case k) {
    INDArray x = RandomArrays.uniform(8, k.x());
    INDArray kernel = RandomArrays.uniform(9, k.kernel());
    INDArray bias = RandomArrays.uniform(10, k.filters());
    INDArray dOut = RandomArrays.uniform(11, k.out());
    INDArray out64 = nans(k.out());
    INDArray dx64 = nansLike(x);
    INDArray dKernel64 = nansLike(kernel);
    Conv1D.forward(x, kernel, bias, k.window(), out64);
    Conv1D.backward(x, kernel, dOut, k.window(), dKernel64, null, dx64);
    INDArray out32 = nans(k.out()).castTo(DataType.FLOAT);
    INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
    INDArray dKernel32 = nansLike(kernel).castTo(DataType.FLOAT);
    Conv1D.forward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        bias.castTo(DataType.FLOAT), k.window(), out32);
    Conv1D.backward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        dOut.castTo(DataType.FLOAT), k.window(), dKernel32, null, dx32);
    assertCloseToFloat64(out64, out32, "out");
    assertCloseToFloat64(dx64, dx32, "dx");
    assertCloseToFloat64(dKernel64, dKernel32, "dKernel");
  }

  @Test
  void repeatedCallsAllocateNothing() {
    Case k = new Case(2, 9, 2, 3, SequenceWindow.causal(3, 1).dilated(2));
    INDArray x = RandomArrays.uniform(12, k.x());
    INDArray kernel = RandomArrays.uniform(13, k.kernel());
    INDArray bias = RandomArrays.uniform(14, k.filters());
    INDArray out = nans(k.out());
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(() -> {
      Conv1D.forward(x, kernel, bias, k.window(), out);
      Conv1D.backward(x, kernel, out, k.window(), dKernel, dBias, dx);
    });
  }

  @Test
  void outputLengthsAreKeras() {
    // valid: floor((steps - extent) / stride) + 1; same and causal: ceil(steps / stride).
    assertEquals(5, SequenceWindow.valid(3, 1).outputLength(7));
    assertEquals(3, SequenceWindow.valid(3, 2).outputLength(8));
    assertEquals(3, SequenceWindow.valid(3, 1).dilated(2).outputLength(7));
    assertEquals(4, SequenceWindow.same(4, 2).outputLength(7));
    assertEquals(4, SequenceWindow.causal(4, 2).outputLength(7));
    assertEquals(4, SequenceWindow.causal(3, 1).dilated(2).causalPadding());
  }

  @Test
  void aWrongOutputShapeIsRefused() {
    INDArray x = RandomArrays.uniform(15, 2, 7, 3);
    INDArray kernel = RandomArrays.uniform(16, 3, 3, 2);
    assertThrows(IllegalArgumentException.class,
        () -> Conv1D.forward(x, kernel, null, SequenceWindow.valid(3, 1), nans(2, 7, 2)));
  }
}
