package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A depthwise-separable 2-D convolution over channels-last images, Keras' {@code
 * SeparableConv2D}: a {@link DepthwiseConv2D} without bias, with the layer's window, into {@code
 * depthwise}; then a 1x1 {@link Conv2D} with the bias from {@code depthwise} to the output.
 */
public final class SeparableConv2D {

  /** The pointwise step: one pixel at a time. */
  private static final Window POINTWISE = Window.valid(1, 1, 1, 1);

  private SeparableConv2D() {}

  /**
   * A SeparableConv2D layer's parameters: views of the model's flat parameter buffer.
   *
   * @param depthwiseKernel {@code (kh, kw, inChannels, multiplier)}
   * @param pointwiseKernel {@code (1, 1, inChannels * multiplier, filters)}
   * @param bias {@code (filters)}, or null for a layer without bias
   */
  public record Parameters(INDArray depthwiseKernel, INDArray pointwiseKernel, INDArray bias) {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param depthwiseKernel {@code (kh, kw, c, multiplier)}
   * @param pointwiseKernel {@code (1, 1, c * multiplier, filters)}
   * @param bias {@code (filters)}, or {@code null}
   * @param window the depthwise kernel's size, strides, dilation and padding
   * @param depthwise written with the depthwise step's output, {@code (n, oh, ow, c *
   *     multiplier)}; the backward pass reads it
   * @param out written, {@code (n, oh, ow, filters)}
   */
  public static void forward(
      INDArray x, INDArray depthwiseKernel, INDArray pointwiseKernel, INDArray bias,
      Window window, INDArray depthwise, INDArray out) {
    DepthwiseConv2D.forward(x, depthwiseKernel, null, window, depthwise);
    Conv2D.forward(depthwise, pointwiseKernel, bias, POINTWISE, out);
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to the layer's output before activation,
   * writes the gradients of both kernels, the bias and the input.
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param depthwiseKernel {@code (kh, kw, c, multiplier)}
   * @param pointwiseKernel {@code (1, 1, c * multiplier, filters)}
   * @param depthwise the forward pass's depthwise output, {@code (n, oh, ow, c * multiplier)}
   * @param dOut {@code (n, oh, ow, filters)}
   * @param window as in the forward pass
   * @param dDepthwise written with the gradient of {@code depthwise}
   * @param dDepthwiseKernel written, {@code (kh, kw, c, multiplier)}
   * @param dPointwiseKernel written, {@code (1, 1, c * multiplier, filters)}
   * @param dBias written, {@code (filters)}, or {@code null}
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when no layer needs it
   */
  public static void backward(
      INDArray x, INDArray depthwiseKernel, INDArray pointwiseKernel, INDArray depthwise,
      INDArray dOut, Window window, INDArray dDepthwise, INDArray dDepthwiseKernel,
      INDArray dPointwiseKernel, INDArray dBias, INDArray dx) {
    Conv2D.backward(depthwise, pointwiseKernel, dOut, POINTWISE, dPointwiseKernel, dBias,
        dDepthwise);
    DepthwiseConv2D.backward(x, depthwiseKernel, dDepthwise, window, dDepthwiseKernel, null, dx);
  }
}
