package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max pooling over channels-last images, Keras' {@code MaxPooling2D}: the largest value in each
 * window, per channel. Padding cells never win: in same mode a window hanging over the edge takes
 * the largest of the cells inside the image.
 */
public final class MaxPool2D {

  /** maxpool2d ignores its divisor argument, which only avgpool2d reads. */
  private static final int UNUSED = 0;

  private MaxPool2D() {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param window the pool size, strides and padding; not dilated, as Keras' pools never are
   * @param out written, {@code (n, oh, ow, c)}
   */
  public static void forward(INDArray x, Window window, INDArray out) {
    Pools.requireUndilated(window);
    if (VectorApi.appliesTo(x.dataType()) && MaxPoolLanes.handles(x, out)) {
      MaxPoolLanes.forward(x, window, out, false);
      return;
    }
    nativeForward(x, window, out);
  }

  /**
   * {@link Relu#forward} then {@link #forward}, for a pooling that alone reads a ReLU's output:
   * since {@code max(relu(a), relu(b)) = relu(max(a, b))}, the ReLU applies to the pooled values
   * and {@code x} keeps the values before it. {@link #backwardThroughRelu} takes that {@code x}
   * as it takes the ReLU's output: the windows' largest cells are the same where the maximum is
   * positive, and a window whose maximum is not passes nothing on either way.
   *
   * @param x the ReLU's input, {@code (n, h, w, c)}
   * @param window the pool size, strides and padding
   * @param out written with the pooled ReLU output, {@code (n, oh, ow, c)}
   */
  public static void forwardRelu(INDArray x, Window window, INDArray out) {
    Pools.requireUndilated(window);
    if (VectorApi.appliesTo(x.dataType()) && MaxPoolLanes.handles(x, out)) {
      MaxPoolLanes.forward(x, window, out, true);
      return;
    }
    nativeForward(x, window, out);
    Relu.forward(out);
  }

  /** libnd4j's maxpool2d: for float64, and float32 without the Vector API. */
  static void nativeForward(INDArray x, Window window, INDArray out) {
    Nd4j.exec(
        DynamicCustomOp.builder("maxpool2d")
            .addInputs(NativeWindows.reached(x, window, out.size(1), out.size(2)))
            .addOutputs(out)
            .addIntegerArguments(NativeWindows.pooling(window, window.same(), UNUSED))
            .build());
  }

  /**
   * Routes each entry of {@code dOut} to the input cell that won its window; cells that won no
   * window get 0, and a cell that won several windows gets the sum.
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param dOut {@code (n, oh, ow, c)}
   * @param window as in the forward pass
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when nothing needs it (the layer
   *     reads a model input): then there is nothing to do
   */
  public static void backward(INDArray x, INDArray dOut, Window window, INDArray dx) {
    if (dx == null) {
      return;
    }
    Pools.requireUndilated(window);
    if (VectorApi.appliesTo(x.dataType()) && MaxPoolLanes.handles(x, dOut, dx)) {
      MaxPoolLanes.backward(x, dOut, window, dx, false);
    } else {
      nativeBackward(x, dOut, window, dx);
    }
  }

  /** libnd4j's maxpool2d_bp: for float64, and float32 without the Vector API. */
  static void nativeBackward(INDArray x, INDArray dOut, Window window, INDArray dx) {
    INDArray reached = NativeWindows.reached(x, window, dOut.size(1), dOut.size(2));
    if (reached != x) {
      // Pixels no window reaches get no gradient; maxpool2d_bp writes only the reached part.
      dx.assign(0);
    }
    Nd4j.exec(
        DynamicCustomOp.builder("maxpool2d_bp")
            .addInputs(reached, dOut)
            .addOutputs(NativeWindows.reached(dx, window, dOut.size(1), dOut.size(2)))
            .addIntegerArguments(NativeWindows.pooling(window, window.same(), UNUSED))
            .build());
  }

  /**
   * {@link #backward} followed by {@link Relu#backward} for a pooling whose input {@code x} is a
   * ReLU's output and whose gradient is the only one that ReLU gets: writes into {@code dx} the
   * gradient of the ReLU's input. A window whose maximum is not positive passes nothing on, so the
   * float32 lanes ({@link MaxPoolLanes}) do both in one pass over the image.
   *
   * @param x the ReLU's output, the pooling's input, {@code (n, h, w, c)}; or the ReLU's input,
   *     where {@link #forwardRelu} applied it
   * @param dOut {@code (n, oh, ow, c)}
   * @param window as in the forward pass
   * @param dx written, {@code (n, h, w, c)}, or {@code null} when nothing needs it
   */
  public static void backwardThroughRelu(INDArray x, INDArray dOut, Window window, INDArray dx) {
    if (dx == null) {
      return;
    }
    Pools.requireUndilated(window);
    if (VectorApi.appliesTo(x.dataType()) && MaxPoolLanes.handles(x, dOut, dx)) {
      MaxPoolLanes.backward(x, dOut, window, dx, true);
    } else {
      nativeBackward(x, dOut, window, dx);
      Relu.backward(x, dx);
    }
  }
}
