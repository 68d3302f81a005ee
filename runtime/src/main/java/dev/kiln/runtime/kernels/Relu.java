package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

/** {@code max(x, 0)}, in place. The backward pass needs only the output. */
public final class Relu {

  private Relu() {}

  /** Replaces {@code x} with {@code max(x, 0)}. */
  public static void forward(INDArray x) {
    if (JavaLoops.suit(x)) {
      JavaLoops.relu(x);
      return;
    }
    Nd4j.exec(new RectifiedLinear(x, x, 0.0));
  }

  /**
   * {@code x} after {@link #forward}: the ReLU output of a layer whose buffer keeps the values
   * before it ({@link MaxPool2D#forwardRelu}), for a copy handed out.
   */
  public static INDArray applied(INDArray x) {
    forward(x);
    return x;
  }

  /**
   * Turns {@code dy}, the gradient with respect to the output {@code y}, into the gradient with
   * respect to the input: zero where {@code y} is zero.
   */
  public static void backward(INDArray y, INDArray dy) {
    if (!JavaLoops.suit(y) && VectorApi.appliesTo(y.dataType()) && ReluLanes.handles(y, dy)) {
      // A convolution's output: libnd4j's relu_bp is slow over it (ReluLanes).
      ReluLanes.backward(y, dy);
      return;
    }
    if (JavaLoops.suit(y) && JavaLoops.suit(dy)) {
      JavaLoops.reluBackward(y, dy);
      return;
    }
    Nd4j.exec(
        DynamicCustomOp.builder("relu_bp")
            .addInputs(y, dy)
            .addOutputs(dy)
            .addFloatingPointArguments(0.0)
            .build());
  }
}
