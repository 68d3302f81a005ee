package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
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
    if (!mergeSummingFloats(dHeads, scale, dProjected, dBias)) {
      merge(dHeads, scale, dProjected);
      if (dBias != null) {
        ColumnSums.of(dProjected, SameViews.vector(dBias));
      }
    }
    Matmul.rows(x, dProjected, inputMatrix(dKernel), true, false);
    if (dx != null) {
      Matmul.rows(dProjected, inputMatrix(kernel), dx, false, true, accumulate);
    }
  }

  /** {@code out = x . kernel + bias} over the rows of the last axis; {@code bias} may be null. */
  static void dense(INDArray x, INDArray kernel, INDArray bias, INDArray out) {
    Matmul.rows(x, kernel, out, false, false);
    if (bias != null) {
      JavaLoops.addBias(out, bias);
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
    Elements in = Elements.of(sideBySide);
    Elements out = Elements.of(heads);
    Elements offset = bias == null ? null : Elements.of(bias);
    int n = (int) heads.size(0);
    int count = (int) heads.size(1);
    int steps = (int) heads.size(2);
    int size = (int) heads.size(3);
    if (in instanceof Elements.Floats floats && out instanceof Elements.Floats to
        && (offset == null || offset instanceof Elements.Floats)) {
      splitFloats(floats, (Elements.Floats) offset, (float) scale, to, n, count, steps, size);
      return;
    }
    long from = 0;
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < steps; t++) {
        for (int h = 0; h < count; h++) {
          long to = (((long) i * count + h) * steps + t) * size;
          for (int j = 0; j < size; j++, from++) {
            double value = in.get(from);
            if (offset != null) {
              value += offset.get(h * size + j);
            }
            out.set(to + j, scale == 1 ? value : scale * value);
          }
        }
      }
    }
  }

  /** Writes {@code sideBySide[i, t, h * size + j] = scale * heads[i, h, t, j]}. */
  static void merge(INDArray heads, double scale, INDArray sideBySide) {
    Elements in = Elements.of(heads);
    Elements out = Elements.of(sideBySide);
    int n = (int) heads.size(0);
    int count = (int) heads.size(1);
    int steps = (int) heads.size(2);
    int size = (int) heads.size(3);
    if (in instanceof Elements.Floats floats && out instanceof Elements.Floats to) {
      mergeFloats(floats, (float) scale, to, n, count, steps, size);
      return;
    }
    long to = 0;
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < steps; t++) {
        for (int h = 0; h < count; h++) {
          long from = (((long) i * count + h) * steps + t) * size;
          if (scale == 1) {
            in.copyTo(from, out, to, size);
            to += size;
          } else {
            for (int j = 0; j < size; j++, to++) {
              out.set(to, scale * in.get(from + j));
            }
          }
        }
      }
    }
  }

  /*
   * The float32 moves: a row of all heads, (heads * size) values, is read or written in one bulk
   * copy and each head's part in another, and the bias and scale are applied to the row in a Java
   * array, which C2 vectorizes (element by element through the buffer, a split of 64x64x128 values
   * took 2.4 ms of CPU). From TWO_THREADS values on, each half of the samples on its own thread.
   */

  /** The smallest array moved on two threads ({@link SecondThread}). */
  static final long TWO_THREADS = 1 << 16;

  /** A pass over the samples {@code [from, to)}. */
  private interface Samples {
    void run(int from, int to);
  }

  /** {@code part} over {@code n} samples of {@code length} values in all, in two halves. */
  private static void inHalves(long length, int n, Samples part) {
    if (length < TWO_THREADS || n < 2) {
      part.run(0, n);
      return;
    }
    int half = n / 2;
    SecondThread.run(() -> part.run(half, n), () -> part.run(0, half));
  }

  private static void splitFloats(Elements.Floats in, Elements.Floats bias, float scale,
      Elements.Floats out, int n, int count, int steps, int size) {
    inHalves(in.length(), n, (from, to) -> splitFloats(in, bias, scale, out, from, to, count,
        steps, size));
  }

  private static void splitFloats(Elements.Floats in, Elements.Floats bias, float scale,
      Elements.Floats out, int fromSample, int toSample, int count, int steps, int size) {
    int width = count * size;
    float[] row = JavaWork.floats(0, width);
    float[] offset = JavaWork.floats(1, width);
    if (bias == null) {
      java.util.Arrays.fill(offset, 0, width, 0f);
    } else {
      bias.read(0, offset, width);
    }
    for (int i = fromSample, from = fromSample * steps * width; i < toSample; i++) {
      for (int t = 0; t < steps; t++, from += width) {
        in.read(from, row, width);
        for (int j = 0; j < width; j++) {
          row[j] = (row[j] + offset[j]) * scale;
        }
        for (int h = 0; h < count; h++) {
          out.write(((i * count + h) * steps + t) * size, row, h * size, size);
        }
      }
    }
  }

  private static void mergeFloats(Elements.Floats in, float scale, Elements.Floats out, int n,
      int count, int steps, int size) {
    inHalves(in.length(), n, (from, to) -> mergeFloats(in, scale, out, from, to, count, steps,
        size, null));
  }

  /**
   * {@link #merge} of float arrays that also writes the column sums of the merged rows into
   * {@code dBias} (the bias gradient of a projection) in the same pass, rather than in a product
   * with ones after it; each half of the samples sums into arrays of its own, added at the end.
   * Returns false, doing nothing, for arrays it does not take.
   */
  private static boolean mergeSummingFloats(INDArray heads, double scale, INDArray sideBySide,
      INDArray dBias) {
    Elements in = Elements.of(heads);
    Elements out = Elements.of(sideBySide);
    boolean floatBias = dBias == null
        || Elements.accepts(dBias) && Elements.of(dBias) instanceof Elements.Floats;
    if (!(in instanceof Elements.Floats floats && out instanceof Elements.Floats to && floatBias)) {
      return false;
    }
    int n = (int) heads.size(0);
    int count = (int) heads.size(1);
    int steps = (int) heads.size(2);
    int size = (int) heads.size(3);
    int width = count * size;
    if (dBias == null) {
      mergeFloats(floats, (float) scale, to, n, count, steps, size);
      return true;
    }
    double[] sums = JavaWork.doubles(0, width);
    double[] helperSums = JavaWork.doubles(1, width);
    java.util.Arrays.fill(helperSums, 0, width, 0);
    inHalves(floats.length(), n, (from, until) -> mergeFloats(floats, (float) scale, to, from,
        until, count, steps, size, from == 0 ? sums : helperSums));
    for (int j = 0; j < width; j++) {
      sums[j] += helperSums[j];
    }
    JavaWork.write(sums, dBias);
    return true;
  }

  /** Rows whose column sums are added in float32 before they go into float64 sums. */
  private static final int SUM_BLOCK = 64;

  /**
   * The merge of samples {@code [fromSample, toSample)}, and with {@code sums} not null, the
   * column sums of their rows written there.
   */
  private static void mergeFloats(Elements.Floats in, float scale, Elements.Floats out,
      int fromSample, int toSample, int count, int steps, int size, double[] sums) {
    int width = count * size;
    float[] row = JavaWork.floats(0, width);
    float[] block = JavaWork.floats(1, width);
    if (sums != null) {
      java.util.Arrays.fill(sums, 0, width, 0);
      java.util.Arrays.fill(block, 0, width, 0f);
    }
    int rows = 0;
    for (int i = fromSample, to = fromSample * steps * width; i < toSample; i++) {
      for (int t = 0; t < steps; t++, to += width) {
        for (int h = 0; h < count; h++) {
          in.read(((i * count + h) * steps + t) * size, row, h * size, size);
        }
        if (scale != 1) {
          for (int j = 0; j < width; j++) {
            row[j] *= scale;
          }
        }
        out.write(to, row, width);
        if (sums != null) {
          for (int j = 0; j < width; j++) {
            block[j] += row[j];
          }
          if (++rows % SUM_BLOCK == 0) {
            addBlock(block, sums, width);
          }
        }
      }
    }
    if (sums != null) {
      addBlock(block, sums, width);
    }
  }

  private static void addBlock(float[] block, double[] sums, int width) {
    for (int j = 0; j < width; j++) {
      sums[j] += block[j];
      block[j] = 0;
    }
  }
}
