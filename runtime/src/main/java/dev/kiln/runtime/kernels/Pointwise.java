package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import java.util.function.DoubleUnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The loops of the elementwise activations that libnd4j lacks or computes in float32 constants
 * (GELU, SiLU, ELU, ...): {@code y = f(z)} forward, {@code dy *= f'(z)} backward, as Java loops
 * over the arrays' memory, in the arrays' own precision.
 */
final class Pointwise {

  private Pointwise() {}

  /** Writes {@code f(z)} into {@code y}, which may be {@code z}. */
  static void forward(INDArray z, INDArray y, DoubleUnaryOperator f) {
    Require.sameShape(y, z, "activation output");
    if (!Elements.accepts(z) || !Elements.accepts(y)) {
      // A view that is not contiguous: work on a copy (models' buffers never are such views).
      INDArray copy = z.dup('c');
      forward(copy, copy, f);
      y.assign(copy);
      return;
    }
    Elements in = Elements.of(z);
    Elements out = Elements.of(y);
    for (long i = 0, n = in.length(); i < n; i++) {
      out.set(i, f.applyAsDouble(in.get(i)));
    }
  }

  /** Multiplies {@code dy}, in place, by {@code derivative(z)}: the chain rule through {@code f}. */
  static void backward(INDArray z, INDArray dy, DoubleUnaryOperator derivative) {
    Require.sameShape(dy, z, "activation gradient");
    if (!Elements.accepts(z) || !Elements.accepts(dy)) {
      INDArray copy = dy.dup('c');
      backward(z.dup('c'), copy, derivative);
      dy.assign(copy);
      return;
    }
    Elements in = Elements.of(z);
    Elements gradient = Elements.of(dy);
    for (long i = 0, n = in.length(); i < n; i++) {
      gradient.set(i, gradient.get(i) * derivative.applyAsDouble(in.get(i)));
    }
  }
}
