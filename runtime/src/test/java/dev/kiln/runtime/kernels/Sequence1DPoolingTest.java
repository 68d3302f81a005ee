package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.assertGradient;
import static dev.kiln.runtime.kernels.KernelChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The 1-D poolings, global poolings and up-sampling against float64 central finite differences;
 * their values against PyTorch's are in {@link SequenceLayersTorchTest}.
 */
class Sequence1DPoolingTest {

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void poolingBackwardMatchesFiniteDifferences(boolean same) {
    for (SequenceWindow window : new SequenceWindow[] {
        new SequenceWindow(2, 2, 1, same ? dev.kiln.Padding.SAME : dev.kiln.Padding.VALID),
        new SequenceWindow(3, 1, 1, same ? dev.kiln.Padding.SAME : dev.kiln.Padding.VALID),
        new SequenceWindow(3, 2, 1, same ? dev.kiln.Padding.SAME : dev.kiln.Padding.VALID)}) {
      INDArray x = RandomArrays.uniform(1, 2, 7, 3);
      long outSteps = window.outputLength(7);
      INDArray r = RandomArrays.uniform(2, 2, outSteps, 3);
      INDArray out = nans(2, outSteps, 3);
      INDArray dx = nansLike(x);
      MaxPooling1D.backward(x, r, window, dx);
      assertGradient("max dx " + window, () -> MaxPooling1D.forward(x, window, out), out, r, x, dx);
      AveragePooling1D.backward(x, r, window, dx);
      assertGradient("average dx " + window, () -> AveragePooling1D.forward(x, window, out), out,
          r, x, dx);
    }
  }

  @Test
  void globalPoolingAndUpSamplingMatchFiniteDifferences() {
    INDArray x = RandomArrays.uniform(3, 2, 5, 3);
    INDArray r = RandomArrays.uniform(4, 2, 3);
    INDArray out = nans(2, 3);
    INDArray dx = nansLike(x);
    GlobalMaxPooling1D.backward(x, r, dx);
    assertGradient("global max dx", () -> GlobalMaxPooling1D.forward(x, out), out, r, x, dx);
    GlobalAveragePooling1D.backward(r, dx);
    assertGradient("global average dx", () -> GlobalAveragePooling1D.forward(x, out), out, r, x,
        dx);
    INDArray repeated = nans(2, 15, 3);
    INDArray rRepeated = RandomArrays.uniform(5, 2, 15, 3);
    UpSampling1D.backward(rRepeated, 3, dx);
    assertGradient("up-sampling dx", () -> UpSampling1D.forward(x, 3, repeated), repeated,
        rRepeated, x, dx);
  }

  @Test
  void causalOrDilatedPoolingIsRefused() {
    INDArray x = RandomArrays.uniform(6, 1, 6, 2);
    assertThrows(IllegalArgumentException.class,
        () -> MaxPooling1D.forward(x, SequenceWindow.causal(2, 2), nans(1, 3, 2)));
    assertThrows(IllegalArgumentException.class,
        () -> AveragePooling1D.forward(x, SequenceWindow.valid(2, 1).dilated(2), nans(1, 4, 2)));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray x = RandomArrays.uniform(7, 2, 7, 3);
    SequenceWindow window = SequenceWindow.same(3, 2);
    INDArray out = nans(2, 4, 3);
    INDArray dx = nansLike(x);
    INDArray pooled = nans(2, 3);
    assertNoSteadyStateAllocation(() -> {
      MaxPooling1D.forward(x, window, out);
      MaxPooling1D.backward(x, out, window, dx);
      AveragePooling1D.forward(x, window, out);
      AveragePooling1D.backward(x, out, window, dx);
      GlobalMaxPooling1D.forward(x, pooled);
      GlobalMaxPooling1D.backward(x, pooled, dx);
      GlobalAveragePooling1D.forward(x, pooled);
      GlobalAveragePooling1D.backward(pooled, dx);
    });
  }
}
