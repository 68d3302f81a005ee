package dev.kiln.runtime.kernels;

/**
 * Keras' window geometry, written out from TensorFlow's rules for the plain-loop references:
 * output sizes and the padding before the first row or column. TensorFlow puts the odd padded
 * pixel after the last row or column.
 */
final class ReferenceWindows {

  private ReferenceWindows() {}

  /** The extent of a dilated window: {@code (size - 1) * dilation + 1}. */
  static int extent(int size, int dilation) {
    return (size - 1) * dilation + 1;
  }

  /** valid: {@code floor((in - extent) / stride) + 1}; same: {@code ceil(in / stride)}. */
  static int outSize(int in, int size, int stride, int dilation, boolean same) {
    return same
        ? (in + stride - 1) / stride
        : (in - extent(size, dilation)) / stride + 1;
  }

  /** same: half of {@code max((out - 1) * stride + extent - in, 0)}, rounded down; valid: 0. */
  static int padBefore(int in, int size, int stride, int dilation, boolean same) {
    if (!same) {
      return 0;
    }
    int out = outSize(in, size, stride, dilation, true);
    return Math.max((out - 1) * stride + extent(size, dilation) - in, 0) / 2;
  }

  /**
   * Keras' {@code deconv_output_length}: valid {@code in * stride + max(extent - stride, 0)},
   * which is {@code (in - 1) * stride + extent} unless the window is shorter than the stride;
   * same {@code in * stride}.
   */
  static int transposeOutSize(int in, int size, int stride, int dilation, boolean same) {
    return same
        ? in * stride
        : in * stride + Math.max(extent(size, dilation) - stride, 0);
  }

  /**
   * A transposed convolution is the input gradient of the convolution from its output back to its
   * input, so its padding is that convolution's: same: half of {@code max(extent - stride, 0)},
   * rounded down; valid: 0.
   */
  static int transposePadBefore(int size, int stride, int dilation, boolean same) {
    return same ? Math.max(extent(size, dilation) - stride, 0) / 2 : 0;
  }
}
