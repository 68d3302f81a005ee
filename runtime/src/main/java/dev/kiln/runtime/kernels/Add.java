package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' Add: the elementwise sum of two or more arrays of one shape. Contiguous arrays of one
 * type are added in a Java loop (in halves on two threads from {@link #TWO_THREADS} values), each
 * sum rounded to the arrays' type as libnd4j's add rounds it; libnd4j's op took 3 ms of CPU for
 * 512K floats, on a loaded machine.
 */
public final class Add {

  /** The smallest array added on two threads. */
  static final long TWO_THREADS = 1 << 16;

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
    if (javaLoopSuits(out, inputs)) {
      Elements sum = Elements.of(out);
      long n = sum.length();
      for (int i = 0; i < inputs.length - 1; i++) {
        Elements a = i == 0 ? Elements.of(inputs[0]) : sum;
        Elements b = Elements.of(inputs[i + 1]);
        if (n < TWO_THREADS) {
          add(a, b, sum, 0, n);
        } else {
          SecondThread.run(() -> add(a, b, sum, n / 2, n), () -> add(a, b, sum, 0, n / 2));
        }
      }
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

  private static void add(Elements a, Elements b, Elements sum, long from, long to) {
    for (long i = from; i < to; i++) {
      sum.set(i, a.get(i) + b.get(i));
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
