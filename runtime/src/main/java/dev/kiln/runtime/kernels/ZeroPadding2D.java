package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' ZeroPadding2D on channels-last images {@code (n, h, w, c)}: {@code top} and {@code
 * bottom} rows and {@code left} and {@code right} columns of zeros around each image.
 */
public final class ZeroPadding2D {

  private ZeroPadding2D() {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param out written, {@code (n, top + h + bottom, left + w + right, c)}
   */
  public static void forward(INDArray x, int top, int bottom, int left, int right, INDArray out) {
    Require.shape(out, padded(x.shape(), top, bottom, left, right), "ZeroPadding2D output");
    long height = out.size(1);
    long width = out.size(2);
    // Only the border is zeroed, so that every entry is written once.
    zero(out, 1, 0, top);
    zero(out, 1, height - bottom, height);
    INDArray middleRows = Views.range(out, 1, top, height - bottom);
    zero(middleRows, 2, 0, left);
    zero(middleRows, 2, width - right, width);
    Views.interior(out, top, bottom, left, right).assign(x);
  }

  /**
   * @param dOut {@code (n, top + h + bottom, left + w + right, c)}
   * @param dx written with the middle of {@code dOut}, {@code (n, h, w, c)}; or {@code null} when
   *     no layer needs it
   */
  public static void backward(
      INDArray dOut, int top, int bottom, int left, int right, INDArray dx) {
    if (dx != null) {
      Cropping2D.forward(dOut, top, bottom, left, right, dx);
    }
  }

  private static long[] padded(long[] shape, int top, int bottom, int left, int right) {
    if (shape.length != 4 || top < 0 || bottom < 0 || left < 0 || right < 0) {
      throw new IllegalArgumentException(
          "cannot pad rows " + top + "+" + bottom + " and columns " + left + "+" + right
              + " of images " + Shapes.of(shape));
    }
    return new long[] {shape[0], shape[1] + top + bottom, shape[2] + left + right, shape[3]};
  }

  private static void zero(INDArray array, int axis, long from, long to) {
    // No padding on a side is an empty interval, skipped rather than viewed.
    if (to > from) {
      Views.range(array, axis, from, to).assign(0.0);
    }
  }
}
