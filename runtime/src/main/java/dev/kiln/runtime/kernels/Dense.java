package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer: {@code out = x . kernel + bias}, over the last axis of {@code x}.
 * The activation is a kernel of its own, applied by the caller, but for ReLU and GELU, which have
 * entries of their own here that apply the bias and the activation in one pass.
 */
public final class Dense {

  private Dense() {}

  /**
   * A Dense layer's parameters: views of the model's flat parameter buffer.
   *
   * @param kernel {@code (in, units)}
   * @param bias {@code (units)}, or null for a layer without bias
   */
  public record Parameters(INDArray kernel, INDArray bias) {}

  /**
   * @param x input, {@code (..., in)}
   * @param kernel {@code (in, units)}
   * @param bias {@code (units)}, or {@code null} for a layer without bias
   * @param out written, {@code (..., units)}
   */
  public static void forward(INDArray x, INDArray kernel, INDArray bias, INDArray out) {
    Matmul.rows(x, kernel, out, false, false);
    if (bias != null) {
      addBias(out, bias);
    }
  }

  /**
   * {@link #forward} followed by ReLU, {@code out = max(x . kernel + bias, 0)}, the bias and the
   * ReLU in one pass over the product's output ({@link BiasRelu}). Its backward pass is {@link
   * #backwardRelu}.
   *
   * @param x input, {@code (..., in)}
   * @param kernel {@code (in, units)}
   * @param bias {@code (units)}, or {@code null} for a layer without bias
   * @param out written, {@code (..., units)}
   */
  public static void forwardRelu(INDArray x, INDArray kernel, INDArray bias, INDArray out) {
    Matmul.rows(x, kernel, out, false, false);
    BiasRelu.apply(out, bias);
  }

  /**
   * {@link #forward} followed by the exact GELU, {@code y = gelu(x . kernel + bias)}, the bias and
   * the GELU in one pass over the product ({@link BiasGelu}); {@code product} keeps {@code x .
   * kernel} without the bias, for {@link #backwardGelu}.
   *
   * @param x input, {@code (..., in)}
   * @param kernel {@code (in, units)}
   * @param bias {@code (units)}, or {@code null} for a layer without bias
   * @param product written with {@code x . kernel}, {@code (..., units)}
   * @param y written, {@code (..., units)}
   */
  public static void forwardGelu(INDArray x, INDArray kernel, INDArray bias, INDArray product,
      INDArray y) {
    Matmul.rows(x, kernel, product, false, false);
    BiasGelu.forward(product, bias, y);
  }

  /**
   * {@link #forwardGelu} for a pass that says whether it trains. The product goes into {@code y}
   * and one pass over it ({@link BiasGelu}) adds the bias and applies the GELU in place; in
   * training that pass also writes GELU's derivative into {@code slope}, which {@link
   * #backwardGeluFromSlope} reads, so that the backward pass only multiplies by it. A prediction
   * leaves {@code slope} as it is.
   *
   * @param x input, {@code (..., in)}
   * @param kernel {@code (in, units)}
   * @param bias {@code (units)}, or {@code null} for a layer without bias
   * @param slope {@code (..., units)}: in training written with {@code gelu'(x . kernel + bias)}
   * @param y written, {@code (..., units)}
   * @param training whether the backward pass follows
   */
  public static void forwardGelu(INDArray x, INDArray kernel, INDArray bias, INDArray slope,
      INDArray y, boolean training) {
    Matmul.rows(x, kernel, y, false, false);
    if (training) {
      BiasGelu.forwardWithSlope(y, bias, slope);
    } else {
      BiasGelu.forward(y, bias, y);
    }
  }

  /**
   * Adds {@code bias} to each row of {@code out}'s last axis: in one Java loop up to a size, in
   * two halves at once beyond ({@link BiasRows}), libnd4j's BiasAdd for views of other layouts.
   */
  static void addBias(INDArray out, INDArray bias) {
    if (JavaLoops.suit(out)) {
      JavaLoops.addBias(out, bias);
    } else if (BiasRows.take(out, bias)) {
      BiasRows.add(out, bias);
    } else {
      INDArray rows = Rows.ofLastAxis(out);
      Nd4j.exec(new BiasAdd(rows, bias, rows, false));
    }
  }

  /**
   * Given {@code dOut}, the loss gradient with respect to the layer's output before activation,
   * writes the gradients of the kernel, the bias and the input.
   *
   * @param x the forward input, {@code (..., in)}
   * @param kernel {@code (in, units)}
   * @param dOut {@code (..., units)}
   * @param dKernel written with {@code x^T . dOut}, {@code (in, units)}
   * @param dBias written with the sum of {@code dOut} over all but the last axis, or {@code null}
   * @param dx written with {@code dOut . kernel^T}, or {@code null} when no layer needs it
   */
  public static void backward(
      INDArray x, INDArray kernel, INDArray dOut, INDArray dKernel, INDArray dBias, INDArray dx) {
    Matmul.rows(x, dOut, dKernel, true, false);
    if (dBias != null) {
      biasGradient(dOut, dBias);
    }
    if (dx != null) {
      Matmul.rows(dOut, kernel, dx, false, true);
    }
  }

  /**
   * The backward pass of {@link #forwardRelu}: ReLU's gradient and the bias gradient in one pass
   * over {@code dOut} ({@link BiasRelu#gradient}), then {@link #backward}'s products.
   *
   * @param x the forward input, {@code (..., in)}
   * @param kernel {@code (in, units)}
   * @param y the forward output, after ReLU, {@code (..., units)}
   * @param dOut {@code (..., units)}: the loss gradient with respect to {@code y}, turned in place
   *     into the gradient with respect to the output before ReLU
   * @param dKernel written with {@code x^T . dOut}, {@code (in, units)}
   * @param dBias written with the sum of {@code dOut} over all but the last axis, or {@code null}
   * @param dx written with {@code dOut . kernel^T}, or {@code null} when no layer needs it
   */
  public static void backwardRelu(INDArray x, INDArray kernel, INDArray y, INDArray dOut,
      INDArray dKernel, INDArray dBias, INDArray dx) {
    if (dBias == null) {
      Relu.backward(y, dOut);
    } else {
      BiasRelu.gradient(y, dOut, dBias);
    }
    Matmul.rows(x, dOut, dKernel, true, false);
    if (dx != null) {
      Matmul.rows(dOut, kernel, dx, false, true);
    }
  }

  /**
   * The backward pass of {@link #forwardGelu}: GELU's gradient and the bias gradient in one pass
   * over {@code dOut} ({@link BiasGelu#backward}), then {@link #backward}'s products.
   *
   * @param x the forward input, {@code (..., in)}
   * @param kernel {@code (in, units)}
   * @param bias {@code (units)}, or {@code null} for a layer without bias
   * @param product the forward pass's {@code x . kernel}, {@code (..., units)}
   * @param dOut {@code (..., units)}: the loss gradient with respect to {@code y}, turned in place
   *     into the gradient with respect to the output before GELU
   * @param dKernel written with {@code x^T . dOut}, {@code (in, units)}
   * @param dBias written with the sum of {@code dOut} over all but the last axis, or {@code null}
   * @param dx written with {@code dOut . kernel^T}, or {@code null} when no layer needs it
   */
  public static void backwardGelu(INDArray x, INDArray kernel, INDArray bias, INDArray product,
      INDArray dOut, INDArray dKernel, INDArray dBias, INDArray dx) {
    BiasGelu.backward(product, bias, dOut, dBias);
    Matmul.rows(x, dOut, dKernel, true, false);
    if (dx != null) {
      Matmul.rows(dOut, kernel, dx, false, true);
    }
  }

  /**
   * The backward pass of a training {@link #forwardGelu(INDArray, INDArray, INDArray, INDArray,
   * INDArray, boolean)}: {@code dOut} times GELU's slope and the bias gradient in one pass ({@link
   * BiasGelu#backwardFromSlope}), then {@link #backward}'s products.
   *
   * @param x the forward input, {@code (..., in)}
   * @param kernel {@code (in, units)}
   * @param slope the forward pass's GELU derivative, {@code (..., units)}
   * @param dOut {@code (..., units)}: the loss gradient with respect to the activation, turned in
   *     place into the gradient with respect to the output before GELU
   * @param dKernel written with {@code x^T . dOut}, {@code (in, units)}
   * @param dBias written with the sum of {@code dOut} over all but the last axis, or {@code null}
   * @param dx written with {@code dOut . kernel^T}, or {@code null} when no layer needs it
   */
  public static void backwardGeluFromSlope(INDArray x, INDArray kernel, INDArray slope,
      INDArray dOut, INDArray dKernel, INDArray dBias, INDArray dx) {
    BiasGelu.backwardFromSlope(slope, dOut, dBias);
    Matmul.rows(x, dOut, dKernel, true, false);
    if (dx != null) {
      Matmul.rows(dOut, kernel, dx, false, true);
    }
  }

  /**
   * Adds this layer's share of its input's gradient, {@code dOut . kernel^T}, to {@code dx} in the
   * product itself (GEMM's beta = 1): for an input read by several layers, whose gradient another
   * reader wrote first, without a buffer for the share and a pass adding it. Call it after the
   * layer's backward pass (given a null {@code dx}), which leaves in {@code dOut} the gradient
   * before the activation.
   *
   * @param dOut {@code (..., units)}: the gradient with respect to the output before activation
   * @param kernel {@code (in, units)}
   * @param dx {@code (..., in)}: holds the other readers' shares; this layer's is added
   */
  public static void addInputGradient(INDArray dOut, INDArray kernel, INDArray dx) {
    Matmul.rows(dOut, kernel, dx, false, true, true);
  }

  /** Writes the sums of {@code dOut} over all but its last axis into {@code dBias}. */
  static void biasGradient(INDArray dOut, INDArray dBias) {
    if (JavaLoops.suit(dOut)) {
      JavaLoops.sumRows(dOut, dBias);
    } else if (BiasRows.take(dOut, dBias)) {
      BiasRows.sum(dOut, dBias);
    } else {
      ColumnSums.of(dOut, dBias); // a product with ones: libnd4j's column sum is slow
    }
  }
}
