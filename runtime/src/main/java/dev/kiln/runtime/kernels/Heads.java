package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The head-major arithmetic of {@link MultiHeadAttention}: projections of sequences into heads
 * {@code (n, heads, steps, size)} and back, and products batched over {@code n * heads}.
 */
final class Heads {

  private Heads() {}

  /** A query, key or value kernel {@code (in, heads, size)} seen as {@code (in, heads * size)}. */
  static INDArray inputMatrix(INDArray kernel) {
    return Views.reshaped(kernel, kernel.size(0), kernel.size(1) * kernel.size(2));
  }

  /** The output kernel {@code (heads, valueDim, out)} seen as {@code (heads * valueDim, out)}. */
  static INDArray outputMatrix(INDArray kernel) {
    return Views.reshaped(kernel, kernel.size(0) * kernel.size(1), kernel.size(2));
  }

  /**
   * Writes {@code scale * (x . kernel + bias)} split into heads.
   *
   * @param x {@code (n, steps, in)}
   * @param kernel {@code (in, heads, size)}
   * @param bias {@code (heads, size)}, or null
   * @param heads written, {@code (n, heads, steps, size)}
   */
  static void project(INDArray x, INDArray kernel, INDArray bias, double scale, INDArray heads) {
    INDArray projected = WorkArrays.get(Heads.class, "projection", x.dataType(), x.size(0),
        x.size(1), kernel.size(1) * kernel.size(2));
    dense(x, inputMatrix(kernel), bias == null ? null : Views.reshaped(bias, bias.length()),
        projected);
    split(projected, heads);
    if (scale != 1) {
      heads.muli(scale);
    }
  }

  /**
   * The backward pass of {@link #project}: writes the kernel and bias gradients, and writes (or,
   * with {@code accumulate}, adds to) the input gradient.
   *
   * @param dHeads the gradient of the heads, {@code (n, heads, steps, size)}
   * @param dKernel written, {@code (in, heads, size)}
   * @param dBias written, {@code (heads, size)}, or null
   * @param dx written or added to, {@code (n, steps, in)}, or null when nobody needs it
   */
  static void projectBackward(INDArray x, INDArray kernel, INDArray dHeads, double scale,
      INDArray dKernel, INDArray dBias, INDArray dx, boolean accumulate) {
    INDArray dProjected = WorkArrays.get(Heads.class, "dProjection", dHeads.dataType(),
        x.size(0), x.size(1), kernel.size(1) * kernel.size(2));
    merge(dHeads, dProjected);
    if (scale != 1) {
      dProjected.muli(scale);
    }
    INDArray rows = Rows.ofLastAxis(dProjected);
    Nd4j.gemm(Rows.ofLastAxis(x), rows, inputMatrix(dKernel), true, false, 1.0, 0.0);
    if (dBias != null) {
      rows.sum(Views.reshaped(dBias, dBias.length()), 0);
    }
    if (dx != null) {
      Nd4j.gemm(rows, inputMatrix(kernel), Rows.ofLastAxis(dx), false, true, 1.0,
          accumulate ? 1.0 : 0.0);
    }
  }

  /** {@code out = x . kernel + bias} over the rows of the last axis; {@code bias} may be null. */
  static void dense(INDArray x, INDArray kernel, INDArray bias, INDArray out) {
    INDArray rows = Rows.ofLastAxis(out);
    Nd4j.gemm(Rows.ofLastAxis(x), kernel, rows, false, false, 1.0, 0.0);
    if (bias != null) {
      rows.addiRowVector(bias);
    }
  }

  /** {@code c = op(a) . op(b)} for each of the {@code n * heads} leading pairs. */
  static void multiply(INDArray a, INDArray b, INDArray c, boolean transposeA,
      boolean transposeB) {
    MMulTranspose transposes =
        MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build();
    Nd4j.exec(new Mmul(batched(a), batched(b), batched(c), 1.0, 0.0, transposes));
  }

  /** {@code (n, heads, rows, columns)} seen as {@code (n * heads, rows, columns)}. */
  private static INDArray batched(INDArray array) {
    return Views.reshaped(array, array.size(0) * array.size(1), array.size(2), array.size(3));
  }

  /** Copies {@code (n, steps, heads * size)} into {@code (n, heads, steps, size)}. */
  static void split(INDArray sideBySide, INDArray heads) {
    long n = heads.size(0);
    long count = heads.size(1);
    long steps = heads.size(2);
    long size = heads.size(3);
    heads.assign(Views.reshaped(sideBySide, n, steps, count, size).permute(0, 2, 1, 3));
  }

  /** Copies {@code (n, heads, steps, size)} into {@code (n, steps, heads * size)}. */
  static void merge(INDArray heads, INDArray sideBySide) {
    long n = heads.size(0);
    long count = heads.size(1);
    long steps = heads.size(2);
    long size = heads.size(3);
    Views.reshaped(sideBySide, n, steps, count, size).assign(heads.permute(0, 2, 1, 3));
  }
}
