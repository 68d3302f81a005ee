package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Conv2D's kernel gradient alone, for a layer whose input gradient nobody reads (one that reads a
 * model input): libnd4j's conv2d_bp always computes the input gradient too, which for such a
 * layer is about half its work, wasted.
 *
 * <p>The kernel gradient is one matrix product over the input's windows laid out as columns:
 * {@code dKernel[(kh, kw, c), f] = columns[(kh, kw, c), (n, oh, ow)] . dOut[(n, oh, ow), f]}.
 * Each row of {@code columns} is one kernel tap's view of every output position; with stride 1 it
 * is runs of one channel's rows, copied in bulk.
 *
 * <p>On every shape measured (Conv2DBenchmark: the seed models' first layers, same padding with
 * stride 2, dilation) this took a quarter to a tenth of conv2d_bp's time, so it always replaces it.
 */
final class Conv2DKernelGradient {

  /** Columns of this many values or more are written on two threads, half the window rows each. */
  static final long TWO_THREADS = 1 << 18;

  private Conv2DKernelGradient() {}

  /**
   * Whether this path takes the call: float or double row-major contiguous arrays, which the
   * columns are read from and the product binds to. Anything else goes to conv2d_bp.
   */
  static boolean handles(INDArray x, INDArray dOut, INDArray dKernel) {
    return Elements.accepts(x) && Elements.accepts(dOut) && Elements.accepts(dKernel)
        && x.dataType() == dOut.dataType() && x.dataType() == dKernel.dataType();
  }

  /**
   * Writes the kernel gradient into {@code dKernel}, and the bias gradient into {@code dBias}
   * unless it is null. With a bias the columns get one more row, of ones, so that the same product
   * reads {@code dOut} once for both: its last row is the bias gradient, written in place where
   * the bias gradient follows the kernel's in their buffer, as a model's flat gradient lays them.
   *
   * @param x the forward input, {@code (n, h, w, c)}
   * @param dOut {@code (n, oh, ow, filters)}
   * @param window as in the forward pass
   * @param dKernel written, {@code (kh, kw, c, filters)}
   * @param dBias written, {@code (filters)}, or null
   */
  static void compute(INDArray x, INDArray dOut, Window window, INDArray dKernel, INDArray dBias) {
    long taps = (long) window.height() * window.width() * x.size(3);
    long positions = dOut.size(0) * dOut.size(1) * dOut.size(2);
    // With a bias, a name of its own: the row of ones stays from call to call.
    INDArray columns = dBias == null
        ? WorkArrays.get(Conv2DKernelGradient.class, "columns", x.dataType(), taps, positions)
        : WorkArrays.get(
            Conv2DKernelGradient.class, "columns and ones", x.dataType(), taps + 1, positions);
    int oh = (int) dOut.size(1);
    int ow = (int) dOut.size(2);
    int half = window.height() / 2;
    if (SecondThread.ENABLED && half > 0 && taps * positions >= TWO_THREADS) {
      SecondThread.run(() -> writeColumns(x, window, oh, ow, columns, half, window.height()),
          () -> writeColumns(x, window, oh, ow, columns, 0, half));
    } else {
      writeColumns(x, window, oh, ow, columns, 0, window.height());
    }
    if (dBias == null) {
      Matmul.rows(columns, dOut, dKernel, false, false);
      return;
    }
    Elements ones = Elements.of(columns);
    if (ones.get(taps * positions) != 1) {
      ones.fill(taps * positions, positions, 1); // a new array
    }
    long filters = dOut.size(3);
    if (followsInBuffer(dKernel, dBias)) {
      Matmul.rows(columns, dOut, SameViews.matrixOver(dKernel, taps + 1, filters), false, false);
      return;
    }
    INDArray product =
        WorkArrays.get(Conv2DKernelGradient.class, "product", x.dataType(), taps + 1, filters);
    Matmul.rows(columns, dOut, product, false, false);
    Elements both = Elements.of(product);
    both.copyTo(0, Elements.of(dKernel), 0, Math.toIntExact(taps * filters));
    both.copyTo(taps * filters, Elements.of(dBias), 0, Math.toIntExact(filters));
  }

  /** Whether {@code after} lies right after {@code array} in the same buffer, both contiguous. */
  private static boolean followsInBuffer(INDArray array, INDArray after) {
    return array.data() == after.data() && Elements.accepts(after)
        && after.offset() == array.offset() + array.length();
  }

  /** The columns of all window rows. */
  static void writeColumns(INDArray x, Window window, int oh, int ow, INDArray columns) {
    writeColumns(x, window, oh, ow, columns, 0, window.height());
  }

  /**
   * {@code columns[(p, q, ch), (b, i, j)] = x[b, i * sh + p * dh - padTop, j * sw + q * dw -
   * padLeft, ch]}, 0 where that falls outside the image, for window rows {@code p} in {@code
   * [fromRow, toRow)}. Package-private for the benchmark.
   */
  static void writeColumns(
      INDArray x, Window window, int oh, int ow, INDArray columns, int fromRow, int toRow) {
    int n = (int) x.size(0);
    int h = (int) x.size(1);
    int w = (int) x.size(2);
    int c = (int) x.size(3);
    int padTop = padBefore(h, oh, window.height(), window.strideHeight(),
        window.dilationHeight(), window.same());
    int padLeft = padBefore(w, ow, window.width(), window.strideWidth(),
        window.dilationWidth(), window.same());
    // Channel planes pay only through bulk copies, which need stride 1; else read x in place.
    boolean planar = window.strideWidth() == 1;
    long pixelStep = planar ? 1 : c;
    long channelStart = planar ? (long) n * h * w : 1;
    long sourceStep = window.strideWidth() * pixelStep;
    Elements source = Elements.of(planar ? channelPlanes(x) : x);
    Elements target = Elements.of(columns);
    long at = (long) fromRow * window.width() * c * n * oh * ow;
    for (int p = fromRow; p < toRow; p++) {
      for (int q = 0; q < window.width(); q++) {
        int firstCol = q * window.dilationWidth() - padLeft;
        // The output columns whose input column lies inside the image: [jStart, jEnd).
        int jStart = Math.min(ow, firstCol >= 0 ? 0 : ceilDiv(-firstCol, window.strideWidth()));
        int jEnd = Math.max(jStart,
            Math.min(ow, firstCol >= w ? 0 : ceilDiv(w - firstCol, window.strideWidth())));
        for (int ch = 0; ch < c; ch++) {
          for (int b = 0; b < n; b++) {
            for (int i = 0; i < oh; i++, at += ow) {
              int row = i * window.strideHeight() + p * window.dilationHeight() - padTop;
              if (row < 0 || row >= h) {
                target.fill(at, ow, 0);
                continue;
              }
              target.fill(at, jStart, 0);
              long pixel = ((long) b * h + row) * w + firstCol + (long) jStart * window.strideWidth();
              long from = ch * channelStart + pixel * pixelStep;
              if (sourceStep == 1) {
                source.copyTo(from, target, at + jStart, jEnd - jStart);
              } else {
                for (int j = jStart; j < jEnd; j++, from += sourceStep) {
                  target.set(at + j, source.get(from));
                }
              }
              target.fill(at + jEnd, ow - jEnd, 0);
            }
          }
        }
      }
    }
  }

  /**
   * {@code x} as {@code (c, n, h, w)}, each channel's pixels in rows, so that with stride 1 a
   * window tap's columns are runs of them, copied in bulk. One channel is already that layout.
   */
  private static INDArray channelPlanes(INDArray x) {
    long c = x.size(3);
    if (c == 1) {
      return x;
    }
    long pixels = x.length() / c;
    INDArray planes = WorkArrays.get(
        Conv2DKernelGradient.class, "planes", x.dataType(), c, x.size(0), x.size(1), x.size(2));
    Elements from = Elements.of(x);
    Elements to = Elements.of(planes);
    for (long pixel = 0, at = 0; pixel < pixels; pixel++) {
      for (long ch = 0; ch < c; ch++, at++) {
        to.set(ch * pixels + pixel, from.get(at));
      }
    }
    return planes;
  }

  /**
   * TensorFlow's padding before the first row or column: valid 0, same half of what the windows
   * overhang the image, rounded down (the odd pixel goes after the last).
   */
  private static int padBefore(int in, int out, int size, int stride, int dilation, boolean same) {
    if (!same) {
      return 0;
    }
    int extent = (size - 1) * dilation + 1;
    return Math.max((out - 1) * stride + extent - in, 0) / 2;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
