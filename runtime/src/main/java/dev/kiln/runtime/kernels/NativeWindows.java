package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The integer arguments libnd4j's 2-D window ops take, for channels-last images. Read from
 * libnd4j's sources (generic/nn/convo and generic/nn/pooling) and checked against plain loops in
 * the kernels' tests.
 */
final class NativeWindows {

  /** libnd4j's data-format flag for conv2d, deconv2d and the pooling ops: 1 is NHWC, 0 NCHW. */
  static final int NHWC = 1;

  /** libnd4j's weight-format flag 0: Keras' {@code (kh, kw, ...)} kernel layout. */
  static final int KERAS_KERNEL = 0;

  private NativeWindows() {}

  /**
   * conv2d, conv2d_bp, deconv2d, deconv2d_bp: {@code kH, kW, sH, sW, pH, pW, dH, dW,
   * paddingMode (0 valid, 1 same), dataFormat, weightFormat}. Explicit paddings are 0: in same
   * mode libnd4j derives them itself.
   */
  static int[] convolution(Window window, boolean same) {
    return new int[] {
      window.height(), window.width(),
      window.strideHeight(), window.strideWidth(),
      0, 0,
      window.dilationHeight(), window.dilationWidth(),
      same ? 1 : 0,
      NHWC,
      KERAS_KERNEL
    };
  }

  /**
   * maxpool2d, avgpool2d and their _bp ops: {@code kH, kW, sH, sW, pH, pW, dH, dW, paddingMode,
   * extra, dataFormat}. {@code extra} matters for avgpool2d only: 0 divides each sum by the number
   * of cells inside the image, 1 by the full window size.
   */
  static int[] pooling(Window window, boolean same, int extra) {
    return new int[] {
      window.height(), window.width(),
      window.strideHeight(), window.strideWidth(),
      0, 0,
      window.dilationHeight(), window.dilationWidth(),
      same ? 1 : 0,
      extra,
      NHWC
    };
  }

  /**
   * The rows and columns of a channels-last {@code image} that a window producing {@code
   * (outHeight, outWidth)} positions reaches: {@code image} itself, or a view of its top-left
   * part.
   *
   * <p>In same mode libnd4j pads {@code ((out - 1) * stride + extent - in) / 2} before the first
   * row, truncated towards zero and never clamped. When the windows end two or more pixels before
   * the image does (windows shorter than their stride) that is negative, and every window shifts.
   * TensorFlow pads nothing there and never reads the last pixels; without them libnd4j's padding
   * is exactly 0, as it should be.
   * Valid mode pads nothing and needs no cropping.
   */
  static INDArray reached(INDArray image, Window window, long outHeight, long outWidth) {
    if (!window.same()) {
      return image;
    }
    long height = Math.min(image.size(1),
        reach(outHeight, window.height(), window.strideHeight(), window.dilationHeight()));
    long width = Math.min(image.size(2),
        reach(outWidth, window.width(), window.strideWidth(), window.dilationWidth()));
    if (height == image.size(1) && width == image.size(2)) {
      return image;
    }
    return image.get(
        NDArrayIndex.all(),
        NDArrayIndex.interval(0, height),
        NDArrayIndex.interval(0, width),
        NDArrayIndex.all());
  }

  /** How many pixels {@code out} windows span, from the first window's start to the last's end. */
  private static long reach(long out, int size, int stride, int dilation) {
    return (out - 1) * stride + (long) (size - 1) * dilation + 1;
  }
}
