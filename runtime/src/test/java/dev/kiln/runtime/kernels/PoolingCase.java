package dev.kiln.runtime.kernels;

import java.util.stream.Stream;

/** An input size and pooling window, with TensorFlow's pooling written out as plain loops. */
record PoolingCase(int n, int h, int w, int c, Window window) {

  @Override
  public String toString() {
    return n + "x" + h + "x" + w + "x" + c + ", " + window;
  }

  long[] xShape() {
    return new long[] {n, h, w, c};
  }

  int oh() {
    return ReferenceWindows.outSize(h, window.height(), window.strideHeight(), 1, window.same());
  }

  int ow() {
    return ReferenceWindows.outSize(w, window.width(), window.strideWidth(), 1, window.same());
  }

  long[] outShape() {
    return new long[] {n, oh(), ow(), c};
  }

  private static PoolingCase small(int height, int width, int stride, boolean same) {
    return new PoolingCase(2, 7, 6, 3, Window.of(height, width, stride, stride, same));
  }

  static Stream<PoolingCase> forwardCases() {
    return Stream.of(
        small(3, 2, 1, false), small(3, 2, 1, true),
        small(3, 2, 2, false), small(3, 2, 2, true),
        // Keras' default: the stride is the pool size; 7 rows leave a half window in same mode.
        small(2, 2, 2, false), small(2, 2, 2, true),
        // A 1x1 window with stride 3 over 9 columns: libnd4j's same padding is negative here.
        new PoolingCase(2, 5, 9, 2, Window.of(1, 1, 3, 3, true)),
        new PoolingCase(1, 8, 9, 2, Window.of(3, 1, 2, 3, true)));
  }

  static Stream<PoolingCase> backwardCases() {
    return Stream.of(
        small(3, 2, 1, true),
        small(3, 2, 2, false), small(3, 2, 2, true),
        small(2, 2, 2, true),
        new PoolingCase(1, 8, 9, 2, Window.of(3, 1, 2, 3, true)));
  }

  /**
   * The maximum or the mean of the cells of each window that lie inside the image; padding cells
   * take no part.
   */
  double[] reference(double[] x, boolean max) {
    int oh = oh();
    int ow = ow();
    boolean same = window.same();
    int padTop = ReferenceWindows.padBefore(h, window.height(), window.strideHeight(), 1, same);
    int padLeft = ReferenceWindows.padBefore(w, window.width(), window.strideWidth(), 1, same);
    double[] out = new double[n * oh * ow * c];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int ch = 0; ch < c; ch++) {
            double result = max ? Double.NEGATIVE_INFINITY : 0;
            int cells = 0;
            for (int p = 0; p < window.height(); p++) {
              int row = i * window.strideHeight() + p - padTop;
              for (int q = 0; q < window.width(); q++) {
                int col = j * window.strideWidth() + q - padLeft;
                if (row < 0 || row >= h || col < 0 || col >= w) {
                  continue;
                }
                double value = x[((b * h + row) * w + col) * c + ch];
                result = max ? Math.max(result, value) : result + value;
                cells++;
              }
            }
            out[((b * oh + i) * ow + j) * c + ch] = max ? result : result / cells;
          }
        }
      }
    }
    return out;
  }
}
