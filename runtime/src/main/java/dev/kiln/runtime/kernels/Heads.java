package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The head-major arithmetic of {@link MultiHeadAttention}: projections of sequences into heads
 * {@code (n, heads, steps, size)} and back, and products batched over {@code n * heads}. Every
 * product is a {@link Matmul} context bound once to the same arrays and views ({@link SameViews}),
 * and the moves between the two layouts are Java passes that also add the bias and scale.
 */
final class Heads {

  private Heads() {}

  /** A query, key or value kernel {@code (in, heads, size)} seen as {@code (in, heads * size)}. */
  static INDArray inputMatrix(INDArray kernel) {
    return SameViews.matrix(kernel, kernel.size(0), kernel.size(1) * kernel.size(2));
  }

  /** The output kernel {@code (heads, valueDim, out)} seen as {@code (heads * valueDim, out)}. */
  static INDArray outputMatrix(INDArray kernel) {
    return SameViews.matrix(kernel, kernel.size(0) * kernel.size(1), kernel.size(2));
  }

  /**
   * Writes {@code scale * (x . kernel + bias)} split into heads.
   *
   * @param x {@code (n, steps, in)}
   * @param kernel {@code (in, heads, size)}
   * @param bias {@code (heads, size)}, or null
   * @param projected work, {@code (n, steps, heads * size)}
   * @param heads written, {@code (n, heads, steps, size)}
   */
  static void project(INDArray x, INDArray kernel, INDArray bias, double scale,
      INDArray projected, INDArray heads) {
    Matmul.rows(x, inputMatrix(kernel), projected, false, false);
    split(projected, bias, scale, heads);
  }

  /**
   * The backward pass of {@link #project}: writes the kernel and bias gradients, and writes (or,
   * with {@code accumulate}, adds to) the input gradient.
   *
   * @param dHeads the gradient of the heads, {@code (n, heads, steps, size)}
   * @param dProjected work, {@code (n, steps, heads * size)}
   * @param dKernel written, {@code (in, heads, size)}
   * @param dBias written, {@code (heads, size)}, or null
   * @param dx written or added to, {@code (n, steps, in)}, or null when nobody needs it
   */
  static void projectBackward(INDArray x, INDArray kernel, INDArray dHeads, double scale,
      INDArray dProjected, INDArray dKernel, INDArray dBias, INDArray dx, boolean accumulate) {
    HeadMoves.merge(new INDArray[] {dHeads}, new double[] {scale}, dProjected,
        new INDArray[] {dBias});
    Matmul.rows(x, dProjected, inputMatrix(dKernel), true, false);
    if (dx != null) {
      Matmul.rows(dProjected, inputMatrix(kernel), dx, false, true, accumulate);
    }
  }

  /** Whether the projections may run as one product at all; tests compare both ways. */
  static volatile boolean jointAllowed = true;

  /**
   * Whether self-attention's three projections of {@code x} run as one product ({@link
   * #projectJoint}): query, value and key are the one array {@code x} and every kernel is
   * contiguous (the model's parameter views are).
   */
  static boolean joint(INDArray query, INDArray value, INDArray key, MultiHeadAttention.Parameters p,
      AttentionWork w) {
    return jointAllowed && query == value && value == key && w.jointProjection != null
        && Elements.accepts(p.queryKernel()) && Elements.accepts(p.keyKernel())
        && Elements.accepts(p.valueKernel());
  }

  /**
   * Self-attention's projections as one product of {@code x} with the three kernels side by side
   * (copied from the parameters on each call, as they change every step), split in one pass into
   * the queries (scaled), keys and values: the three products took 3.4 ms of CPU at 64x64x128
   * into 4 heads of 32 and the one product 2.7.
   *
   * @param x {@code (n, T, in)}
   * @param queries written, {@code (n, heads, T, keyDim)}
   * @param keys written, {@code (n, heads, T, keyDim)}
   * @param values written, {@code (n, heads, T, valueDim)}
   */
  static void projectJoint(INDArray x, MultiHeadAttention.Parameters p, double queryScale,
      AttentionWork w, INDArray queries, INDArray keys, INDArray values) {
    productJoint(x, p, w);
    HeadMoves.split(w.jointProjection, new INDArray[] {queries, keys, values},
        new INDArray[] {p.queryBias(), p.keyBias(), p.valueBias()},
        new double[] {queryScale, 1, 1});
  }

  /**
   * The product of {@link #projectJoint} alone, into {@code w.jointProjection}: {@code (n, T,
   * heads * (2 * keyDim + valueDim))}, the queries', keys' and values' heads side by side, before
   * their biases.
   */
  static void productJoint(INDArray x, MultiHeadAttention.Parameters p, AttentionWork w) {
    join(p, w.jointKernel);
    Matmul.rows(x, w.jointKernel, w.jointProjection, false, false);
  }

  /**
   * The backward pass of {@link #projectJoint}: the heads' gradients merged in one pass (summing
   * the biases' gradients), one product for the three kernels' gradients and one for the input's.
   *
   * @param grads the kernels' and biases' gradients written
   * @param dx written, {@code (n, T, in)}, or null when nobody needs it
   */
  static void projectJointBackward(INDArray x, MultiHeadAttention.Parameters p, double queryScale,
      AttentionWork w, INDArray dQueries, INDArray dKeys, INDArray dValues,
      MultiHeadAttention.Parameters grads, INDArray dx) {
    HeadMoves.merge(new INDArray[] {dQueries, dKeys, dValues}, new double[] {queryScale, 1, 1},
        w.jointProjection, new INDArray[] {grads.queryBias(), grads.keyBias(), grads.valueBias()});
    jointKernelBackward(x, p, w, grads, dx);
  }

  /**
   * The rest of {@link #projectJointBackward} once the gradient of the one projection is in
   * {@code w.jointProjection}: one product for the three kernels' gradients and one for the
   * input's.
   */
  static void jointKernelBackward(INDArray x, MultiHeadAttention.Parameters p, AttentionWork w,
      MultiHeadAttention.Parameters grads, INDArray dx) {
    Matmul.rows(x, w.jointProjection, w.jointKernelGradient, true, false);
    unjoin(w.jointKernelGradient, grads.queryKernel(), grads.keyKernel(), grads.valueKernel());
    if (dx != null) {
      join(p, w.jointKernel);
      Matmul.rows(w.jointProjection, w.jointKernel, dx, false, true);
    }
  }

  /** Copies the query, key and value kernels side by side into {@code joint}, row by row. */
  private static void join(MultiHeadAttention.Parameters p, INDArray joint) {
    INDArray[] kernels = {p.queryKernel(), p.keyKernel(), p.valueKernel()};
    Elements to = Elements.of(joint);
    long rows = joint.size(0);
    long width = joint.size(1);
    long start = 0;
    for (INDArray kernel : kernels) {
      Elements from = Elements.of(kernel);
      int length = (int) (kernel.length() / rows);
      for (long r = 0; r < rows; r++) {
        from.copyTo(r * length, to, r * width + start, length);
      }
      start += length;
    }
  }

  /** Copies {@code joint}'s parts back into the three kernel-shaped arrays, row by row. */
  private static void unjoin(INDArray joint, INDArray... kernels) {
    Elements from = Elements.of(joint);
    long rows = joint.size(0);
    long width = joint.size(1);
    long start = 0;
    for (INDArray kernel : kernels) {
      Elements to = Elements.of(kernel);
      int length = (int) (kernel.length() / rows);
      for (long r = 0; r < rows; r++) {
        from.copyTo(r * width + start, to, r * length, length);
      }
      start += length;
    }
  }

  /** {@code out = x . kernel + bias} over the rows of the last axis; {@code bias} may be null. */
  static void dense(INDArray x, INDArray kernel, INDArray bias, INDArray out) {
    Matmul.rows(x, kernel, out, false, false);
    if (bias != null) {
      Dense.addBias(out, bias);
    }
  }

  /**
   * {@code c = op(a) . op(b)} for each of the {@code n * heads} leading pairs of {@code (n, heads,
   * rows, columns)} arrays.
   */
  static void multiply(INDArray a, INDArray b, INDArray c, boolean transposeA,
      boolean transposeB) {
    Matmul.batched(SameViews.heads(a), SameViews.heads(b), SameViews.heads(c), transposeA,
        transposeB);
  }

  /**
   * Writes {@code heads[i, h, t, j] = scale * (sideBySide[i, t, h * size + j] + bias[h, j])}.
   *
   * @param sideBySide {@code (n, steps, heads * size)}
   * @param bias {@code (heads, size)}, or null for none
   * @param heads written, {@code (n, heads, steps, size)}
   */
  static void split(INDArray sideBySide, INDArray bias, double scale, INDArray heads) {
    HeadMoves.split(sideBySide, new INDArray[] {heads}, new INDArray[] {bias},
        new double[] {scale});
  }

  /** Writes {@code sideBySide[i, t, h * size + j] = scale * heads[i, h, t, j]}. */
  static void merge(INDArray heads, double scale, INDArray sideBySide) {
    HeadMoves.merge(new INDArray[] {heads}, new double[] {scale}, sideBySide, null);
  }
}
