package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Keras' Average: the elementwise mean of two or more arrays of one shape. */
public final class Average {

  private Average() {}

  /**
   * @param out written with the mean; may be {@code inputs[0]}, but no later input
   * @param inputs one or more arrays shaped like {@code out}
   */
  public static void forward(INDArray out, INDArray... inputs) {
    Elements mean = Elements.of(out);
    Elements[] values = Merges.inputs(out, inputs, "Average input");
    for (long i = 0, n = mean.length(); i < n; i++) {
      double sum = 0;
      for (Elements input : values) {
        sum += input.get(i);
      }
      mean.set(i, sum / values.length);
    }
  }

  /**
   * Each input's gradient is {@code dOut / n} for {@code n} inputs.
   *
   * @param dInputs written, one per input, or {@code null} for an input nobody needs the gradient
   *     of; may be {@code dOut}
   */
  public static void backward(INDArray dOut, INDArray... dInputs) {
    Elements gradient = Merges.elements(dOut);
    for (INDArray dInput : dInputs) {
      if (dInput == null || dInput == dOut) {
        continue;
      }
      Elements share = Merges.output(dInput, dOut, "Average input gradient");
      for (long i = 0, n = gradient.length(); i < n; i++) {
        share.set(i, gradient.get(i) / dInputs.length);
      }
    }
    for (INDArray dInput : dInputs) {
      if (dInput == dOut) {
        Elements share = Elements.of(dOut);
        for (long i = 0, n = share.length(); i < n; i++) {
          share.set(i, share.get(i) / dInputs.length);
        }
        return;
      }
    }
  }
}
