package dev.kiln.runtime.kernels;

/**
 * The sliding window of a 2-D convolution or pooling over channels-last images: its size,
 * strides, dilation and padding mode (Keras' {@code valid} or {@code same}).
 *
 * @param height window rows
 * @param width window columns
 * @param strideHeight row step
 * @param strideWidth column step
 * @param dilationHeight gap between window rows (1 for none)
 * @param dilationWidth gap between window columns (1 for none)
 * @param same pad so that the output has {@code ceil(input / stride)} rows and columns; without
 *     it ({@code valid}) the window stays inside the input
 */
public record Window(
    int height,
    int width,
    int strideHeight,
    int strideWidth,
    int dilationHeight,
    int dilationWidth,
    boolean same) {

  public Window {
    if (height < 1 || width < 1 || strideHeight < 1 || strideWidth < 1
        || dilationHeight < 1 || dilationWidth < 1) {
      throw new IllegalArgumentException("window sizes, strides and dilations must be positive: " + this);
    }
  }

  /** A window without dilation. */
  public static Window of(int height, int width, int strideHeight, int strideWidth, boolean same) {
    return new Window(height, width, strideHeight, strideWidth, 1, 1, same);
  }

  /** Keras' {@code padding='valid'}: the window stays inside the input. */
  public static Window valid(int height, int width, int strideHeight, int strideWidth) {
    return of(height, width, strideHeight, strideWidth, false);
  }

  /** Keras' {@code padding='same'}: zero padding keeps {@code ceil(input / stride)}. */
  public static Window same(int height, int width, int strideHeight, int strideWidth) {
    return of(height, width, strideHeight, strideWidth, true);
  }

  /** This window with gaps of {@code dilationHeight} rows and {@code dilationWidth} columns. */
  public Window dilated(int dilationHeight, int dilationWidth) {
    return new Window(height, width, strideHeight, strideWidth, dilationHeight, dilationWidth, same);
  }
}
