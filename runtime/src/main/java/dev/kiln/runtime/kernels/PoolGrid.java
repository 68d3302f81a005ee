package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the windows of a 2-D pooling lie on a channels-last image, with TensorFlow's padding: for
 * the Java pooling loops, which index the arrays' elements themselves. Windows are undilated.
 *
 * @param n images
 * @param h image rows
 * @param w image columns
 * @param c channels
 * @param oh output rows
 * @param ow output columns
 * @param poolH window rows
 * @param poolW window columns
 * @param strideH row step
 * @param strideW column step
 * @param padTop rows of padding before the first (same mode; 0 in valid mode)
 * @param padLeft columns of padding before the first
 */
record PoolGrid(int n, int h, int w, int c, int oh, int ow, int poolH, int poolW, int strideH,
    int strideW, int padTop, int padLeft) {

  /** The grid of {@code window} over {@code x}, {@code (n, h, w, c)}, giving {@code out}. */
  static PoolGrid of(INDArray x, Window window, INDArray out) {
    int h = (int) x.size(1);
    int w = (int) x.size(2);
    int oh = (int) out.size(1);
    int ow = (int) out.size(2);
    return new PoolGrid((int) x.size(0), h, w, (int) x.size(3), oh, ow,
        window.height(), window.width(), window.strideHeight(), window.strideWidth(),
        padBefore(h, oh, window.height(), window.strideHeight(), window.same()),
        padBefore(w, ow, window.width(), window.strideWidth(), window.same()));
  }

  /**
   * Whether every pixel lies in at most one window, and the windows cover the image but for rows
   * and columns after the last window (valid mode's leftovers): the stride is the window size,
   * Keras' default.
   */
  boolean tiles() {
    return strideH == poolH && strideW == poolW;
  }

  /**
   * How many output columns from the first on have a whole 2x2 window at stride 2: all of them
   * but a last one cut by the image's edge; 0 for other windows. Such windows have no padding
   * before them.
   */
  int wholeSquares() {
    boolean square = poolH == 2 && poolW == 2 && strideH == 2 && strideW == 2 && padLeft == 0;
    return square ? Math.min(ow, w / 2) : 0;
  }

  /** Whether a pixel may lie in the windows of two output rows. */
  boolean overlapsRows() {
    return strideH < poolH;
  }

  /** The first image row of output row {@code i}'s windows, clamped to the image. */
  int firstRow(int i) {
    return Math.max(i * strideH - padTop, 0);
  }

  /** The image row after the last of output row {@code i}'s windows, clamped to the image. */
  int endRow(int i) {
    return Math.min(i * strideH - padTop + poolH, h);
  }

  /** The first image column of output column {@code j}'s window, clamped to the image. */
  int firstColumn(int j) {
    return Math.max(j * strideW - padLeft, 0);
  }

  /** The image column after the last of output column {@code j}'s window, clamped. */
  int endColumn(int j) {
    return Math.min(j * strideW - padLeft + poolW, w);
  }

  /** The element index of pixel {@code (b, row, column)}'s first channel. */
  int pixel(int b, int row, int column) {
    return ((b * h + row) * w + column) * c;
  }

  /**
   * TensorFlow's padding before the first row or column: valid 0, same half of what the windows
   * overhang the image, rounded down (the odd pixel goes after the last), never negative.
   */
  static int padBefore(int in, int out, int size, int stride, boolean same) {
    return same ? Math.max((out - 1) * stride + size - in, 0) / 2 : 0;
  }
}
