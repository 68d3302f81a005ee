package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * A depthwise 2-D convolution over channels-last images, Keras' {@code DepthwiseConv2D}: input
 * channel {@code i} through its filter {@code m} of the kernel {@code (kh, kw, c, multiplier)}
 * gives output channel {@code i * multiplier + m}, plus its bias. Runs libnd4j's
 * depthwise_conv2d, whose integer arguments are conv2d's.
 */
public final class DepthwiseConv2D {

  private DepthwiseConv2D() {}

  /**
   * A DepthwiseConv2D layer's parameters: views of the model's flat parameter buffer.
   *
   * @param depthwiseKernel {@code (kh, kw, inChannels, multiplier)}
   * @param bias {@code (inChannels * multiplier)}, or null for a layer without bias
   */
  public record Parameters(INDArray depthwiseKernel, INDArray bias) {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, c, multiplier)}
   * @param bias {@code (c * multiplier)}, or {@code null} for a layer without bias
   * @param window the kernel's size, strides, dilation and padding
   * @param out written, {@code (n, oh, ow, c * multiplier)}
   */
  public static void forward(
      INDArray x, INDArray kernel, INDArray bias, Window window, INDArray out) {
    Require.shape(out, new long[] {out.size(0), out.size(1), out.size(2),
        kernel.size(2) * kernel.size(3)}, "DepthwiseConv2D's output");
    INDArray reached = NativeWindows.reached(x, window, out.size(1), out.size(2));
    DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("depthwise_conv2d")
        .addIntegerArguments(NativeWindows.convolution(window, window.same()));
    if (bias != null) {
      op.addInputs(reached, kernel, bias);
    } else {
      op.addInputs(reached, kernel);
    }
    OneDnn.exec(op.addOutputs(out).build(), OneDnn.mishandles(window, reached));
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to the layer's output before activation,
   * writes the gradients of the kernel, the bias and the input.
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, c, multiplier)}
   * @param dOut {@code (n, oh, ow, c * multiplier)}
   * @param window as in the forward pass
   * @param dKernel written, {@code (kh, kw, c, multiplier)}
   * @param dBias written with the sum of {@code dOut} over all but the last axis, or {@code null}
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when no layer needs it
   */
  public static void backward(
      INDArray x, INDArray kernel, INDArray dOut, Window window,
      INDArray dKernel, INDArray dBias, INDArray dx) {
    INDArray reached = NativeWindows.reached(x, window, dOut.size(1), dOut.size(2));
    INDArray dxOrScratch = Scratch.orScratch(dx, x);
    if (reached != x) {
      // Pixels no window reaches get no gradient; the op writes only the reached part.
      dxOrScratch.assign(0);
    }
    INDArray dReached = NativeWindows.reached(dxOrScratch, window, dOut.size(1), dOut.size(2));
    // Without a bias input the op computes no bias gradient; it is a plain sum, done below.
    OneDnn.exec(
        DynamicCustomOp.builder("depthwise_conv2d_bp")
            .addInputs(reached, kernel, dOut)
            .addOutputs(dReached, dKernel)
            .addIntegerArguments(NativeWindows.convolution(window, window.same()))
            .build(),
        OneDnn.mishandles(window, reached, dReached));
    if (dBias != null) {
      Conv2D.biasGradient(dOut, dBias);
    }
  }
}
