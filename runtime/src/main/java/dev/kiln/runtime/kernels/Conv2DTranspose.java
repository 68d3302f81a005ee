package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A transposed 2-D convolution over channels-last images, Keras' {@code Conv2DTranspose}: the
 * input gradient of the convolution that maps its output back to its input, plus a bias. Output
 * size per axis, Keras' {@code deconv_output_length}: valid {@code in * stride + max(extent -
 * stride, 0)}, same {@code in * stride}, where {@code extent = (size - 1) * dilation + 1}.
 *
 * <p>libnd4j's deconv2d and deconv2d_bp agree with Keras unless a window is shorter than its
 * stride: in valid mode they insist on a {@code (in - 1) * stride + extent} output, and in same
 * mode their padding {@code (extent - stride) / 2} is not clamped at 0 and goes negative from
 * {@code extent <= stride - 2}. Such windows go through conv2d and conv2d_bp instead, with the
 * transposed convolution as the input gradient of a convolution, where {@link
 * NativeWindows#reached} sets the padding right; that costs a wasted kernel gradient in the
 * forward pass and a wasted input gradient in the backward pass.
 */
public final class Conv2DTranspose {

  private Conv2DTranspose() {}

  /**
   * A Conv2DTranspose layer's parameters: views of the model's flat parameter buffer.
   *
   * @param kernel {@code (kh, kw, filters, inChannels)}
   * @param bias {@code (filters)}, or null for a layer without bias
   */
  public record Parameters(INDArray kernel, INDArray bias) {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, filters, c)}
   * @param bias {@code (filters)}, or {@code null} for a layer without bias
   * @param window the kernel's size, strides, dilation and padding
   * @param out written, {@code (n, oh, ow, filters)}
   */
  public static void forward(
      INDArray x, INDArray kernel, INDArray bias, Window window, INDArray out) {
    if (nativeGeometry(window)) {
      DynamicCustomOp.DynamicCustomOpsBuilder op =
          DynamicCustomOp.builder("deconv2d")
              .addIntegerArguments(NativeWindows.convolution(window, window.same()));
      if (bias != null) {
        op.addInputs(x, kernel, bias);
      } else {
        op.addInputs(x, kernel);
      }
      OneDnn.exec(op.addOutputs(out).build(), OneDnn.mishandles(window));
      return;
    }
    INDArray reached = NativeWindows.reached(out, window, x.size(1), x.size(2));
    if (reached != out) {
      // The rows and columns past the last window get nothing but the bias.
      out.assign(0);
    }
    // conv2d_bp reads its input only for the kernel gradient, which nobody needs here.
    OneDnn.exec(
        DynamicCustomOp.builder("conv2d_bp")
            .addInputs(Scratch.like(reached), kernel, x)
            .addOutputs(reached, Scratch.like(kernel))
            .addIntegerArguments(NativeWindows.convolution(window, window.same()))
            .build(),
        OneDnn.mishandles(window, reached));
    if (bias != null) {
      INDArray rows = Rows.ofLastAxis(out);
      Nd4j.exec(new BiasAdd(rows, bias, rows, false));
    }
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to the layer's output before activation,
   * writes the gradients of the kernel, the bias and the input.
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, filters, c)}
   * @param dOut {@code (n, oh, ow, filters)}
   * @param window as in the forward pass
   * @param dKernel written, {@code (kh, kw, filters, c)}
   * @param dBias written with the sum of {@code dOut} over all but the last axis, or {@code null}
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when no layer needs it
   */
  public static void backward(
      INDArray x, INDArray kernel, INDArray dOut, Window window,
      INDArray dKernel, INDArray dBias, INDArray dx) {
    int[] arguments = NativeWindows.convolution(window, window.same());
    if (nativeGeometry(window)) {
      OneDnn.exec(
          DynamicCustomOp.builder("deconv2d_bp")
              .addInputs(x, kernel, dOut)
              .addOutputs(Scratch.orScratch(dx, x), dKernel)
              .addIntegerArguments(arguments)
              .build(),
          OneDnn.mishandles(window));
    } else {
      // dx is the convolution of dOut; dKernel the kernel gradient of that convolution at x.
      INDArray reached = NativeWindows.reached(dOut, window, x.size(1), x.size(2));
      if (dx != null) {
        OneDnn.exec(
            DynamicCustomOp.builder("conv2d")
                .addInputs(reached, kernel)
                .addOutputs(dx)
                .addIntegerArguments(arguments)
                .build(),
            OneDnn.mishandles(window, reached));
      }
      OneDnn.exec(
          DynamicCustomOp.builder("conv2d_bp")
              .addInputs(reached, kernel, x)
              .addOutputs(Scratch.like(reached), dKernel)
              .addIntegerArguments(arguments)
              .build(),
          OneDnn.mishandles(window, reached));
    }
    // Without a bias input the native ops compute no bias gradient; it is a plain sum, done here.
    if (dBias != null) {
      dOut.sum(dBias, 0, 1, 2);
    }
  }

  /** Whether deconv2d and deconv2d_bp get both axes of {@code window} right: see above. */
  private static boolean nativeGeometry(Window window) {
    boolean same = window.same();
    return nativeGeometry(window.height(), window.strideHeight(), window.dilationHeight(), same)
        && nativeGeometry(window.width(), window.strideWidth(), window.dilationWidth(), same);
  }

  private static boolean nativeGeometry(int size, int stride, int dilation, boolean same) {
    int extent = (size - 1) * dilation + 1;
    return same ? extent >= stride - 1 : extent >= stride;
  }
}
