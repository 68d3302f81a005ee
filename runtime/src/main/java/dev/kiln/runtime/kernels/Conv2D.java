package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 2-D convolution over channels-last images, Keras' {@code Conv2D}: {@code out = x * kernel +
 * bias}, with Keras' {@code valid} or {@code same} padding, strides and dilation. The activation
 * is a kernel of its own, applied by the caller.
 */
public final class Conv2D {

  private Conv2D() {}

  /**
   * A Conv2D layer's parameters: views of the model's flat parameter buffer.
   *
   * @param kernel {@code (kh, kw, inChannels, filters)}
   * @param bias {@code (filters)}, or null for a layer without bias
   */
  public record Parameters(INDArray kernel, INDArray bias) {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, c, filters)}
   * @param bias {@code (filters)}, or {@code null} for a layer without bias
   * @param window the kernel's size, strides, dilation and padding
   * @param out written, {@code (n, oh, ow, filters)}
   */
  public static void forward(
      INDArray x, INDArray kernel, INDArray bias, Window window, INDArray out) {
    if (VectorApi.appliesTo(x.dataType())
        && SmallConvLanes.handles(x, kernel, bias, window, out)) {
      SmallConvLanes.forward(x, kernel, bias, window, out);
      return;
    }
    DynamicCustomOp.DynamicCustomOpsBuilder op =
        DynamicCustomOp.builder("conv2d")
            .addIntegerArguments(NativeWindows.convolution(window, window.same()));
    INDArray reached = NativeWindows.reached(x, window, out.size(1), out.size(2));
    if (bias != null) {
      op.addInputs(reached, kernel, bias);
    } else {
      op.addInputs(reached, kernel);
    }
    OneDnn.exec(op.addOutputs(out).build(), OneDnn.mishandles(window, reached));
  }

  /**
   * {@link #forward}, then its ReLU and a max pooling ({@link MaxPool2D#forwardRelu}), for a
   * prediction: where {@link SmallConvLanes} takes both, the convolution's outputs are pooled as
   * they are computed and {@code out} is not written; the pooled values are the same bits.
   *
   * @param x input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, c, filters)}
   * @param bias {@code (filters)}, or {@code null}
   * @param window the convolution's window
   * @param out the convolution's output, {@code (n, oh, ow, filters)}, written or not
   * @param pool the pooling's window
   * @param pooled written, {@code (n, ph, pw, filters)}
   */
  public static void forwardPooledRelu(INDArray x, INDArray kernel, INDArray bias, Window window,
      INDArray out, Window pool, INDArray pooled) {
    if (VectorApi.appliesTo(x.dataType()) && SmallConvLanes.poolsInPlace(pool)
        && SmallConvLanes.handles(x, kernel, bias, window, out)
        && pooled.dataType() == out.dataType() && pooled.ordering() == 'c'
        && pooled.elementWiseStride() == 1) {
      SmallConvLanes.forwardPooledRelu(x, kernel, bias, window, pooled);
      return;
    }
    forward(x, kernel, bias, window, out);
    MaxPool2D.forwardRelu(out, pool, pooled);
  }

  /**
   * {@link #forwardPooledRelu} in a training step, for a layer that reads a model input (no input
   * gradient), whose backward pass is {@link #backwardPooledRelu}: {@code out} gets either the
   * convolution's output, as {@link #forward} writes it, or, where {@link SmallConvLanes} takes
   * the convolution and the pooling, a trace of each window's winning cell that only {@link
   * #backwardPooledRelu} reads. {@code pooled} gets the same bits either way.
   *
   * @param x input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, c, filters)}
   * @param bias {@code (filters)}, or {@code null}
   * @param window the convolution's window
   * @param out the convolution's output or the trace, {@code (n, oh, ow, filters)}
   * @param pool the pooling's window
   * @param pooled written, {@code (n, ph, pw, filters)}
   */
  public static void forwardPooledReluForBackward(INDArray x, INDArray kernel, INDArray bias,
      Window window, INDArray out, Window pool, INDArray pooled) {
    if (tracesPooling(x, kernel, bias, window, out, pool, pooled)) {
      SmallConvLanes.forwardPooledReluTraced(x, kernel, bias, window, pooled, out);
      return;
    }
    forward(x, kernel, bias, window, out);
    MaxPool2D.forwardRelu(out, pool, pooled);
  }

  /**
   * The backward pass of {@link #forwardPooledReluForBackward}: the pooling's and ReLU's ({@link
   * MaxPool2D#backwardThroughRelu}), then the kernel's and bias's gradients ({@link #backward}
   * without an input gradient); from the trace, where the forward pass left one, without writing
   * {@code dOut}.
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, c, filters)}
   * @param bias {@code (filters)}, or {@code null}, as in the forward pass
   * @param out what the forward pass left, {@code (n, oh, ow, filters)}
   * @param dPooled the pooling's output gradient, {@code (n, ph, pw, filters)}
   * @param window the convolution's window
   * @param pool the pooling's window
   * @param dOut the gradient of the convolution's output, {@code (n, oh, ow, filters)}: written
   *     or not
   * @param pooled the pooled output, {@code (n, ph, pw, filters)}, as in the forward pass
   * @param dKernel written, {@code (kh, kw, c, filters)}
   * @param dBias written, {@code (filters)}, or {@code null}
   */
  public static void backwardPooledRelu(INDArray x, INDArray kernel, INDArray bias, INDArray out,
      INDArray dPooled, Window window, Window pool, INDArray dOut, INDArray pooled,
      INDArray dKernel, INDArray dBias) {
    if (tracesPooling(x, kernel, bias, window, out, pool, pooled)) {
      SmallConvPoolGradient.compute(x, kernel, out, dPooled, window, dKernel, dBias);
      return;
    }
    MaxPool2D.backwardThroughRelu(out, dPooled, pool, dOut);
    backward(x, kernel, dOut, window, dKernel, dBias, null);
  }

  /**
   * Whether the lanes take a training step's convolution, ReLU and pooling together ({@link
   * #forwardPooledReluForBackward}); forward and backward ask it of the same arrays.
   */
  private static boolean tracesPooling(INDArray x, INDArray kernel, INDArray bias, Window window,
      INDArray out, Window pool, INDArray pooled) {
    return VectorApi.appliesTo(x.dataType()) && SmallConvLanes.poolsInPlace(pool)
        && SmallConvLanes.handles(x, kernel, bias, window, out)
        && dense(pooled);
  }

  private static boolean dense(INDArray array) {
    return array.dataType() == DataType.FLOAT && array.ordering() == 'c'
        && array.elementWiseStride() == 1;
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to the layer's output before activation,
   * writes the gradients of the kernel, the bias and the input.
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param kernel {@code (kh, kw, c, filters)}
   * @param dOut {@code (n, oh, ow, filters)}
   * @param window as in the forward pass
   * @param dKernel written, {@code (kh, kw, c, filters)}
   * @param dBias written with the sum of {@code dOut} over all but the last axis, or {@code null}
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when no layer needs it
   */
  public static void backward(
      INDArray x, INDArray kernel, INDArray dOut, Window window,
      INDArray dKernel, INDArray dBias, INDArray dx) {
    if (dx == null && Conv2DKernelGradient.handles(x, dOut, dKernel)
        && (dBias == null || Elements.accepts(dBias) && dBias.dataType() == dKernel.dataType())) {
      Conv2DKernelGradient.compute(x, dOut, window, dKernel, dBias);
      return;
    }
    withInputGradient(x, kernel, dOut, window, dKernel, dx);
    if (dBias != null) {
      biasGradient(dOut, dBias);
    }
  }

  /** The sum of {@code dOut} over all but the channel axis ({@link ColumnSums}). */
  static void biasGradient(INDArray dOut, INDArray dBias) {
    ColumnSums.of(dOut, dBias);
  }

  /** libnd4j's conv2d_bp, which writes the input gradient too: into a scratch array if unwanted. */
  private static void withInputGradient(
      INDArray x, INDArray kernel, INDArray dOut, Window window, INDArray dKernel, INDArray dx) {
    INDArray reached = NativeWindows.reached(x, window, dOut.size(1), dOut.size(2));
    INDArray dxOrScratch = Scratch.orScratch(dx, x);
    if (reached != x) {
      // Pixels no window reaches get no gradient; conv2d_bp writes only the reached part.
      dxOrScratch.assign(0);
    }
    INDArray dReached = NativeWindows.reached(dxOrScratch, window, dOut.size(1), dOut.size(2));
    // Without a bias input conv2d_bp computes no bias gradient; it is a plain sum, done here.
    OneDnn.exec(
        DynamicCustomOp.builder("conv2d_bp")
            .addInputs(reached, kernel, dOut)
            .addOutputs(dReached, dKernel)
            .addIntegerArguments(NativeWindows.convolution(window, window.same()))
            .build(),
        OneDnn.mishandles(window, reached, dReached));
  }
}
