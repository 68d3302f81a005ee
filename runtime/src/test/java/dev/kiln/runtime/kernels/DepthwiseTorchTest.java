package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DepthwiseConv2D's and SeparableConv2D's forward values and gradients against PyTorch's grouped
 * convolutions, in float64, from {@link TorchFixtures}. Same padding follows Keras (TensorFlow's
 * rule, the odd pixel after the last row or column), written out by the script.
 */
class DepthwiseTorchTest {

  private static final double TOLERANCE = 1e-12;

  /** A case's sizes: n, h, w, c, multiplier, kh, kw, sh, sw, dh, dw, bias, filters (0: depthwise). */
  private record Sizes(int[] s) {
    Window window(boolean same) {
      return new Window(s[5], s[6], s[7], s[8], s[9], s[10], same);
    }

    long[] x() {
      return new long[] {s[0], s[1], s[2], s[3]};
    }

    long[] depthwiseKernel() {
      return new long[] {s[5], s[6], s[3], s[4]};
    }

    long[] out(int channels, boolean same) {
      Window w = window(same);
      return new long[] {s[0],
          ReferenceWindows.outSize(s[1], w.height(), w.strideHeight(), w.dilationHeight(), same),
          ReferenceWindows.outSize(s[2], w.width(), w.strideWidth(), w.dilationWidth(), same),
          channels};
    }

    boolean bias() {
      return s[11] == 1;
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"depthwiseConv2d.valid", "depthwiseConv2d.multiplier",
      "depthwiseConv2d.sameStrided", "depthwiseConv2d.sameDilated"})
  void depthwiseAgreesWithTorch(String name) {
    Sizes k = new Sizes(TorchFixtures.sizes(name));
    boolean same = name.contains(".same");
    int channels = k.s()[3] * k.s()[4];
    INDArray x = TorchFixtures.array(name + ".x", k.x());
    INDArray kernel = TorchFixtures.array(name + ".depthwiseKernel", k.depthwiseKernel());
    INDArray bias = k.bias() ? TorchFixtures.array(name + ".bias", channels) : null;
    INDArray out = nans(k.out(channels, same));
    DepthwiseConv2D.forward(x, kernel, bias, k.window(same), out);
    assertAllClose(TorchFixtures.row(name + ".out"), out, TOLERANCE, name + " out");

    INDArray dx = nans(k.x());
    INDArray dKernel = nans(k.depthwiseKernel());
    INDArray dBias = k.bias() ? nans(channels) : null;
    DepthwiseConv2D.backward(x, kernel, TorchFixtures.array(name + ".r", k.out(channels, same)),
        k.window(same), dKernel, dBias, dx);
    assertAllClose(TorchFixtures.row(name + ".dx"), dx, TOLERANCE, name + " dx");
    assertAllClose(TorchFixtures.row(name + ".ddepthwiseKernel"), dKernel, TOLERANCE,
        name + " dDepthwiseKernel");
    if (k.bias()) {
      assertAllClose(TorchFixtures.row(name + ".dbias"), dBias, TOLERANCE, name + " dBias");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"separableConv2d.valid", "separableConv2d.sameStrided",
      "separableConv2d.dilatedNoBias"})
  void separableAgreesWithTorch(String name) {
    Sizes k = new Sizes(TorchFixtures.sizes(name));
    boolean same = !name.endsWith(".valid");
    int middle = k.s()[3] * k.s()[4];
    int filters = k.s()[12];
    INDArray x = TorchFixtures.array(name + ".x", k.x());
    INDArray depthwise = TorchFixtures.array(name + ".depthwiseKernel", k.depthwiseKernel());
    INDArray pointwise = TorchFixtures.array(name + ".pointwiseKernel", 1, 1, middle, filters);
    INDArray bias = k.bias() ? TorchFixtures.array(name + ".bias", filters) : null;
    INDArray mid = nans(k.out(middle, same));
    INDArray out = nans(k.out(filters, same));
    SeparableConv2D.forward(x, depthwise, pointwise, bias, k.window(same), mid, out);
    assertAllClose(TorchFixtures.row(name + ".out"), out, TOLERANCE, name + " out");

    INDArray dx = nans(k.x());
    INDArray dDepthwise = nans(k.depthwiseKernel());
    INDArray dPointwise = nans(1, 1, middle, filters);
    INDArray dBias = k.bias() ? nans(filters) : null;
    SeparableConv2D.backward(x, depthwise, pointwise, mid,
        TorchFixtures.array(name + ".r", k.out(filters, same)), k.window(same),
        nans(k.out(middle, same)), dDepthwise, dPointwise, dBias, dx);
    assertAllClose(TorchFixtures.row(name + ".dx"), dx, TOLERANCE, name + " dx");
    assertAllClose(TorchFixtures.row(name + ".ddepthwiseKernel"), dDepthwise, TOLERANCE,
        name + " dDepthwiseKernel");
    assertAllClose(TorchFixtures.row(name + ".dpointwiseKernel"), dPointwise, TOLERANCE,
        name + " dPointwiseKernel");
    if (k.bias()) {
      assertAllClose(TorchFixtures.row(name + ".dbias"), dBias, TOLERANCE, name + " dBias");
    }
  }
}
