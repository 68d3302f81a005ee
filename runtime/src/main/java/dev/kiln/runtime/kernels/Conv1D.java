package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 1-D convolution along the steps of channels-last sequences, Keras' {@code Conv1D}: {@code
 * out = x * kernel + bias} with valid, same or causal padding, strides and dilation. It runs as
 * {@link Conv2D} over images of one row; causal padding copies the input after {@code (size - 1)
 * * dilation} zeros into a work array and runs a valid window over it. The activation is a
 * kernel of its own, applied by the caller.
 */
public final class Conv1D {

  private Conv1D() {}

  /**
   * A Conv1D layer's parameters: views of the model's flat parameter buffer.
   *
   * @param kernel {@code (size, inChannels, filters)}
   * @param bias {@code (filters)}, or null for a layer without bias
   */
  public record Parameters(INDArray kernel, INDArray bias) {}

  /**
   * @param x input, {@code (n, steps, c)}
   * @param kernel {@code (size, c, filters)}
   * @param bias {@code (filters)}, or {@code null} for a layer without bias
   * @param window the kernel's size, stride, dilation and padding
   * @param out written, {@code (n, outSteps, filters)}
   */
  public static void forward(
      INDArray x, INDArray kernel, INDArray bias, SequenceWindow window, INDArray out) {
    Require.shape(out, new long[] {x.size(0), window.outputLength(x.size(1)), kernel.size(2)},
        "Conv1D's output");
    Conv2D.forward(padded(x, window), SequenceImages.read(kernel, 0), bias, window.image(),
        SequenceImages.write(out));
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to the layer's output before activation,
   * writes the gradients of the kernel, the bias and the input.
   *
   * @param x the forward input, {@code (n, steps, c)}
   * @param kernel {@code (size, c, filters)}
   * @param dOut {@code (n, outSteps, filters)}
   * @param window as in the forward pass
   * @param dKernel written, {@code (size, c, filters)}
   * @param dBias written with the sum of {@code dOut} over samples and steps, or {@code null}
   * @param dx written, {@code (n, steps, c)}, or {@code null} when no layer needs it
   */
  public static void backward(
      INDArray x, INDArray kernel, INDArray dOut, SequenceWindow window,
      INDArray dKernel, INDArray dBias, INDArray dx) {
    INDArray input = padded(x, window);
    INDArray dInput = dx == null || window.causalPadding() == 0
        ? SequenceImages.write(dx)
        : WorkArrays.get(Conv1D.class, "paddedGradient", dx.dataType(), input.shape());
    Conv2D.backward(input, SequenceImages.read(kernel, 0), SequenceImages.read(dOut),
        window.image(), SequenceImages.write(dKernel, 0), dBias, dInput);
    if (dx != null && window.causalPadding() > 0) {
      // The padding's gradient is dropped: it is a constant.
      SequenceImages.write(dx).assign(Views.range(dInput, 2, window.causalPadding(), dInput.size(2)));
    }
  }

  /**
   * {@code x} as images {@code (n, 1, steps, c)}; for a causal window, a work array holding
   * {@link SequenceWindow#causalPadding()} zero steps and then {@code x}. The work array is
   * refilled on every call: another Conv1D layer of the same sizes may have used it in between.
   */
  private static INDArray padded(INDArray x, SequenceWindow window) {
    int padding = window.causalPadding();
    if (padding == 0) {
      return SequenceImages.read(x);
    }
    INDArray padded = WorkArrays.get(Conv1D.class, "padded", x.dataType(),
        x.size(0), 1, x.size(1) + padding, x.size(2));
    Views.range(padded, 2, 0, padding).assign(0);
    Views.range(padded, 2, padding, padded.size(2)).assign(SequenceImages.read(x));
    return padded;
  }
}
