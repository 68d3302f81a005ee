package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' Add: the elementwise sum of two or more arrays of one shape, by libnd4j's add (a Java
 * loop over 512K floats took as long). Each input's gradient is a copy of the output's, a bulk
 * copy between contiguous arrays of one type.
 */
public final class Add {

  private Add() {}

  /**
   * @param out written with the sum; may be {@code inputs[0]}, but no later input, whose value
   *     would be overwritten before it is read
   * @param inputs one or more arrays shaped like {@code out}
   */
  public static void forward(INDArray out, INDArray... inputs) {
    for (INDArray input : inputs) {
      // libnd4j's add broadcasts, so a mismatch would not fail by itself.
      Require.sameShape(input, out, "Add input");
    }
    if (inputs.length == 1) {
      out.assign(inputs[0]);
      return;
    }
    Nd4j.exec(new AddOp(inputs[0], inputs[1], out));
    for (int i = 2; i < inputs.length; i++) {
      Nd4j.exec(new AddOp(out, inputs[i], out));
    }
  }

  /**
   * Each input's gradient is the output gradient itself.
   *
   * @param dOut the output gradient
   * @param dInputs written with a copy of {@code dOut}, one per input, or {@code null} for an
   *     input nobody needs the gradient of
   */
  public static void backward(INDArray dOut, INDArray... dInputs) {
    for (INDArray dInput : dInputs) {
      if (dInput != null && dInput != dOut) {
        Require.sameShape(dInput, dOut, "Add input gradient");
        if (javaLoopSuits(dInput, dOut)) {
          Elements.of(dOut).copyTo(0, Elements.of(dInput), 0, Math.toIntExact(dOut.length()));
        } else {
          dInput.assign(dOut);
        }
      }
    }
  }

  /** Whether every array is contiguous and of {@code out}'s type, float or double. */
  private static boolean javaLoopSuits(INDArray out, INDArray... arrays) {
    if (!Elements.accepts(out) || out.length() > Integer.MAX_VALUE) {
      return false;
    }
    for (INDArray array : arrays) {
      if (!Elements.accepts(array) || array.dataType() != out.dataType()) {
        return false;
      }
    }
    return true;
  }
}
