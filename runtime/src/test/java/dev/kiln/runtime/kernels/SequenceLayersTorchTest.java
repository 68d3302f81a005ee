package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;

import dev.kiln.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The 1-D layers' forward values and gradients against PyTorch's, in float64, from {@link
 * TorchFixtures}. Padding follows Keras, not PyTorch: the script pads by TensorFlow's rule (the
 * odd zero of same padding after the last step; causal zeros before the first only), and a
 * same-padded average divides by the steps inside the sequence.
 */
class SequenceLayersTorchTest {

  /** Float64 rounding of sums of a few dozen products of values below 1. */
  private static final double TOLERANCE = 1e-12;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "conv1d.valid, VALID", "conv1d.validStrided, VALID", "conv1d.validDilated, VALID",
    "conv1d.same, SAME", "conv1d.sameEvenStrided, SAME", "conv1d.sameDilated, SAME",
    "conv1d.causal, CAUSAL", "conv1d.causalDilated, CAUSAL", "conv1d.causalStrided, CAUSAL"
  })
  void conv1dAgreesWithTorch(String name, Padding padding) {
    int[] s = TorchFixtures.sizes(name);
    int n = s[0], steps = s[1], c = s[2], filters = s[3];
    SequenceWindow window = new SequenceWindow(s[4], s[5], s[6], padding);
    boolean bias = s[7] == 1;
    INDArray x = TorchFixtures.array(name + ".x", n, steps, c);
    INDArray kernel = TorchFixtures.array(name + ".kernel", s[4], c, filters);
    INDArray b = bias ? TorchFixtures.array(name + ".bias", filters) : null;
    long outSteps = window.outputLength(steps);
    INDArray out = nans(n, outSteps, filters);
    Conv1D.forward(x, kernel, b, window, out);
    assertAllClose(TorchFixtures.row(name + ".out"), out, TOLERANCE, name + " out");

    INDArray r = TorchFixtures.array(name + ".r", n, outSteps, filters);
    INDArray dx = nans(n, steps, c);
    INDArray dKernel = nans(s[4], c, filters);
    INDArray dBias = bias ? nans(filters) : null;
    Conv1D.backward(x, kernel, r, window, dKernel, dBias, dx);
    assertAllClose(TorchFixtures.row(name + ".dx"), dx, TOLERANCE, name + " dx");
    assertAllClose(TorchFixtures.row(name + ".dkernel"), dKernel, TOLERANCE, name + " dKernel");
    if (bias) {
      assertAllClose(TorchFixtures.row(name + ".dbias"), dBias, TOLERANCE, name + " dBias");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "maxPooling1d.valid, VALID", "maxPooling1d.same, SAME",
    "averagePooling1d.valid, VALID", "averagePooling1d.same, SAME"
  })
  void pooling1dAgreesWithTorch(String name, Padding padding) {
    int[] s = TorchFixtures.sizes(name);
    int n = s[0], steps = s[1], c = s[2];
    SequenceWindow window = new SequenceWindow(s[3], s[4], 1, padding);
    boolean max = name.startsWith("max");
    INDArray x = TorchFixtures.array(name + ".x", n, steps, c);
    long outSteps = window.outputLength(steps);
    INDArray out = nans(n, outSteps, c);
    INDArray r = TorchFixtures.array(name + ".r", n, outSteps, c);
    INDArray dx = nans(n, steps, c);
    if (max) {
      MaxPooling1D.forward(x, window, out);
      MaxPooling1D.backward(x, r, window, dx);
    } else {
      AveragePooling1D.forward(x, window, out);
      AveragePooling1D.backward(x, r, window, dx);
    }
    assertAllClose(TorchFixtures.row(name + ".out"), out, TOLERANCE, name + " out");
    assertAllClose(TorchFixtures.row(name + ".dx"), dx, TOLERANCE, name + " dx");
  }

  @Test
  void globalPoolingAgreesWithTorch() {
    for (String name : new String[] {"globalMaxPooling1d", "globalAveragePooling1d"}) {
      int[] s = TorchFixtures.sizes(name);
      INDArray x = TorchFixtures.array(name + ".x", s[0], s[1], s[2]);
      INDArray r = TorchFixtures.array(name + ".r", s[0], s[2]);
      INDArray out = nans(s[0], s[2]);
      INDArray dx = nans(s[0], s[1], s[2]);
      if (name.startsWith("globalMax")) {
        GlobalMaxPooling1D.forward(x, out);
        GlobalMaxPooling1D.backward(x, r, dx);
      } else {
        GlobalAveragePooling1D.forward(x, out);
        GlobalAveragePooling1D.backward(r, dx);
      }
      assertAllClose(TorchFixtures.row(name + ".out"), out, TOLERANCE, name + " out");
      assertAllClose(TorchFixtures.row(name + ".dx"), dx, TOLERANCE, name + " dx");
    }
  }

  @Test
  void upSamplingAgreesWithTorch() {
    String name = "upSampling1d";
    int[] s = TorchFixtures.sizes(name);
    int size = s[3];
    INDArray x = TorchFixtures.array(name + ".x", s[0], s[1], s[2]);
    INDArray out = nans(s[0], (long) s[1] * size, s[2]);
    UpSampling1D.forward(x, size, out);
    INDArray dx = nans(s[0], s[1], s[2]);
    UpSampling1D.backward(TorchFixtures.array(name + ".r", s[0], (long) s[1] * size, s[2]), size, dx);
    assertAllClose(TorchFixtures.row(name + ".out"), out, TOLERANCE, name + " out");
    assertAllClose(TorchFixtures.row(name + ".dx"), dx, TOLERANCE, name + " dx");
  }
}
