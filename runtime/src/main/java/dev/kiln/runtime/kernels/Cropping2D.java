package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' Cropping2D on channels-last images {@code (n, h, w, c)}: drops {@code top} and {@code
 * bottom} rows and {@code left} and {@code right} columns. Its backward pass is zero padding,
 * and ZeroPadding2D's backward pass is cropping, so each reuses the other's forward pass.
 */
public final class Cropping2D {

  private Cropping2D() {}

  /**
   * @param x input, {@code (n, h, w, c)}
   * @param out written, {@code (n, h - top - bottom, w - left - right, c)}
   */
  public static void forward(INDArray x, int top, int bottom, int left, int right, INDArray out) {
    Require.shape(out, cropped(x.shape(), top, bottom, left, right), "Cropping2D output");
    out.assign(Views.interior(x, top, bottom, left, right));
  }

  /**
   * @param dOut {@code (n, h - top - bottom, w - left - right, c)}
   * @param dx written, {@code (n, h, w, c)}: {@code dOut} in the middle, zero on the cropped
   *     border; or {@code null} when no layer needs it
   */
  public static void backward(
      INDArray dOut, int top, int bottom, int left, int right, INDArray dx) {
    if (dx != null) {
      ZeroPadding2D.forward(dOut, top, bottom, left, right, dx);
    }
  }

  /** {@code shape} less the cropped rows and columns; fails for negative or too large crops. */
  static long[] cropped(long[] shape, int top, int bottom, int left, int right) {
    if (shape.length != 4 || top < 0 || bottom < 0 || left < 0 || right < 0
        || top + bottom >= shape[1] || left + right >= shape[2]) {
      throw new IllegalArgumentException(
          "cannot crop rows " + top + "+" + bottom + " and columns " + left + "+" + right
              + " of images " + Shapes.of(shape));
    }
    return new long[] {shape[0], shape[1] - top - bottom, shape[2] - left - right, shape[3]};
  }
}
