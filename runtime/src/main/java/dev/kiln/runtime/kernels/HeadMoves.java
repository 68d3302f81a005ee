package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves between attention's two layouts: rows of side-by-side heads {@code (n, steps, width)} and
 * head-major arrays {@code (n, heads, steps, size)}. A side-by-side row may hold several
 * projections' heads one after the other (self-attention's queries, keys and values from one
 * product), each a <em>part</em> with its own head-major array, bias and scale, so that one pass
 * moves them all.
 *
 * <p>Float32 rows are read or written in one bulk copy and each head's part in another, and the
 * bias and scale are applied to the row in a Java array, which C2 vectorizes (element by element
 * through the buffer, a split of 64x64x128 values took 2.4 ms of CPU). From {@link #TWO_THREADS}
 * values on, each half of the samples runs on its own thread ({@link SecondThread}).
 */
final class HeadMoves {

  /** The smallest array moved on two threads. */
  static final long TWO_THREADS = 1 << 16;

  /** Rows whose column sums are added in float32 before they go into float64 sums. */
  private static final int SUM_BLOCK = 64;

  private HeadMoves() {}

  /**
   * Writes {@code heads[p][i, h, t, j] = scales[p] * (sideBySide[i, t, start(p) + h * size + j] +
   * biases[p][h, j])}, where part {@code p} starts after the parts before it.
   *
   * @param sideBySide {@code (n, steps, width)}, {@code width} the parts' {@code heads * size}
   *     added up
   * @param heads written, each {@code (n, heads, steps, size)}
   * @param biases each {@code (heads, size)} or null for none; or null for no bias at all
   */
  static void split(INDArray sideBySide, INDArray[] heads, INDArray[] biases, double[] scales) {
    Layout layout = new Layout(heads);
    Elements in = Elements.of(sideBySide);
    Elements[] out = elements(heads);
    Elements[] offsets = biases == null ? new Elements[heads.length] : elements(biases);
    if (in instanceof Elements.Floats floats && allFloats(out) && allFloats(offsets)) {
      inHalves(in.length(), layout.n, (from, to) -> splitFloats(floats, out, offsets, scales,
          layout, from, to));
      return;
    }
    long from = 0;
    for (int i = 0; i < layout.n; i++) {
      for (int t = 0; t < layout.steps; t++) {
        for (int p = 0; p < heads.length; p++) {
          int count = layout.counts[p];
          int size = layout.sizes[p];
          for (int h = 0; h < count; h++) {
            long to = (((long) i * count + h) * layout.steps + t) * size;
            for (int j = 0; j < size; j++, from++) {
              double value = in.get(from);
              if (offsets[p] != null) {
                value += offsets[p].get(h * size + j);
              }
              out[p].set(to + j, scales[p] == 1 ? value : scales[p] * value);
            }
          }
        }
      }
    }
  }

  /**
   * Writes {@code sideBySide[i, t, start(p) + h * size + j] = scales[p] * heads[p][i, h, t, j]},
   * and, where {@code dBiases[p]} is not null, the column sums of part {@code p}'s merged rows
   * into it (a projection's bias gradient, summed in float64).
   *
   * @param dBiases each {@code (heads, size)} or null; or null for no sums at all
   */
  static void merge(INDArray[] heads, double[] scales, INDArray sideBySide, INDArray[] dBiases) {
    Layout layout = new Layout(heads);
    Elements[] in = elements(heads);
    Elements out = Elements.of(sideBySide);
    boolean summing = false;
    for (int p = 0; dBiases != null && p < dBiases.length; p++) {
      summing |= dBiases[p] != null;
    }
    double[] sums = summing ? JavaWork.doubles(0, layout.width) : null;
    if (out instanceof Elements.Floats to && allFloats(in)) {
      if (!summing) {
        inHalves(out.length(), layout.n,
            (from, until) -> mergeFloats(in, scales, to, layout, from, until, null));
      } else {
        double[] helperSums = JavaWork.doubles(1, layout.width);
        java.util.Arrays.fill(helperSums, 0, layout.width, 0);
        inHalves(out.length(), layout.n, (from, until) -> mergeFloats(in, scales, to, layout,
            from, until, from == 0 ? sums : helperSums));
        for (int j = 0; j < layout.width; j++) {
          sums[j] += helperSums[j];
        }
      }
    } else {
      mergeElements(in, scales, out, layout, sums);
    }
    if (summing) {
      for (int p = 0; p < dBiases.length; p++) {
        if (dBiases[p] != null) {
          Elements bias = Elements.of(dBiases[p]);
          for (int j = 0, at = layout.starts[p]; j < bias.length(); j++) {
            bias.set(j, sums[at + j]);
          }
        }
      }
    }
  }

  private static void mergeElements(Elements[] in, double[] scales, Elements out, Layout layout,
      double[] sums) {
    if (sums != null) {
      java.util.Arrays.fill(sums, 0, layout.width, 0);
    }
    long to = 0;
    for (int i = 0; i < layout.n; i++) {
      for (int t = 0; t < layout.steps; t++) {
        for (int p = 0; p < in.length; p++) {
          int count = layout.counts[p];
          int size = layout.sizes[p];
          for (int h = 0; h < count; h++) {
            long from = (((long) i * count + h) * layout.steps + t) * size;
            int column = layout.starts[p] + h * size;
            for (int j = 0; j < size; j++, to++) {
              double value = scales[p] == 1 ? in[p].get(from + j) : scales[p] * in[p].get(from + j);
              out.set(to, value);
              if (sums != null) {
                sums[column + j] += out.get(to); // as stored, like the float path
              }
            }
          }
        }
      }
    }
  }

  /** The parts' sizes: each {@code (n, heads, steps, size)} with the same {@code n} and steps. */
  private static final class Layout {
    final int n;
    final int steps;
    final int[] counts;
    final int[] sizes;
    final int[] starts;
    final int width;

    Layout(INDArray[] heads) {
      n = (int) heads[0].size(0);
      steps = (int) heads[0].size(2);
      counts = new int[heads.length];
      sizes = new int[heads.length];
      starts = new int[heads.length];
      int at = 0;
      for (int p = 0; p < heads.length; p++) {
        counts[p] = (int) heads[p].size(1);
        sizes[p] = (int) heads[p].size(3);
        starts[p] = at;
        at += counts[p] * sizes[p];
      }
      width = at;
    }
  }

  private static Elements[] elements(INDArray[] arrays) {
    Elements[] elements = new Elements[arrays.length];
    for (int p = 0; p < arrays.length; p++) {
      elements[p] = arrays[p] == null ? null : Elements.of(arrays[p]);
    }
    return elements;
  }

  /** Whether every element source that is there holds floats. */
  private static boolean allFloats(Elements[] elements) {
    for (Elements e : elements) {
      if (e != null && !(e instanceof Elements.Floats)) {
        return false;
      }
    }
    return true;
  }

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

  private static void splitFloats(Elements.Floats in, Elements[] out, Elements[] biases,
      double[] scales, Layout layout, int fromSample, int toSample) {
    int width = layout.width;
    int steps = layout.steps;
    float[] row = JavaWork.floats(0, width);
    float[] offset = JavaWork.floats(1, width);
    float[] scale = JavaWork.floats(2, width);
    for (int p = 0; p < out.length; p++) {
      int start = layout.starts[p];
      int length = layout.counts[p] * layout.sizes[p];
      if (biases[p] == null) {
        java.util.Arrays.fill(offset, start, start + length, 0f);
      } else {
        ((Elements.Floats) biases[p]).read(0, offset, start, length);
      }
      java.util.Arrays.fill(scale, start, start + length, (float) scales[p]);
    }
    for (int i = fromSample, from = fromSample * steps * width; i < toSample; i++) {
      for (int t = 0; t < steps; t++, from += width) {
        in.read(from, row, width);
        for (int j = 0; j < width; j++) {
          row[j] = (row[j] + offset[j]) * scale[j];
        }
        for (int p = 0; p < out.length; p++) {
          Elements.Floats to = (Elements.Floats) out[p];
          int count = layout.counts[p];
          int size = layout.sizes[p];
          for (int h = 0; h < count; h++) {
            to.write(((i * count + h) * steps + t) * size, row, layout.starts[p] + h * size, size);
          }
        }
      }
    }
  }

  /**
   * The merge of samples {@code [fromSample, toSample)}, and with {@code sums} not null, the
   * column sums of their rows written there.
   */
  private static void mergeFloats(Elements[] in, double[] scales, Elements.Floats out,
      Layout layout, int fromSample, int toSample, double[] sums) {
    int width = layout.width;
    int steps = layout.steps;
    float[] row = JavaWork.floats(0, width);
    float[] block = JavaWork.floats(1, width);
    float[] scale = JavaWork.floats(2, width);
    boolean scaled = false;
    for (int p = 0; p < in.length; p++) {
      int start = layout.starts[p];
      java.util.Arrays.fill(scale, start, start + layout.counts[p] * layout.sizes[p],
          (float) scales[p]);
      scaled |= scales[p] != 1;
    }
    if (sums != null) {
      java.util.Arrays.fill(sums, 0, width, 0);
      java.util.Arrays.fill(block, 0, width, 0f);
    }
    int rows = 0;
    for (int i = fromSample, to = fromSample * steps * width; i < toSample; i++) {
      for (int t = 0; t < steps; t++, to += width) {
        for (int p = 0; p < in.length; p++) {
          Elements.Floats from = (Elements.Floats) in[p];
          int count = layout.counts[p];
          int size = layout.sizes[p];
          for (int h = 0; h < count; h++) {
            from.read(((i * count + h) * steps + t) * size, row, layout.starts[p] + h * size,
                size);
          }
        }
        if (scaled) {
          for (int j = 0; j < width; j++) {
            row[j] *= scale[j];
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
