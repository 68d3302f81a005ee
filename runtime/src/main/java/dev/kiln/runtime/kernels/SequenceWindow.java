package dev.kiln.runtime.kernels;

import dev.kiln.Padding;

/**
 * The sliding window of a 1-D convolution or pooling along the steps of channels-last sequences
 * {@code (n, steps, channels)}: its length, stride, dilation and padding (Keras' {@code valid},
 * {@code same} or {@code causal}).
 *
 * <p>The kernels run it as a 2-D window of one row over images {@code (n, 1, steps, channels)}
 * ({@link #image()}); causal padding is done by the kernels themselves, after which the window
 * is a valid one.
 *
 * @param size window steps
 * @param stride step between windows
 * @param dilation gap between the window's taps (1 for none)
 * @param padding valid, same, or causal: {@link #causalPadding()} zeros before the first step
 */
public record SequenceWindow(int size, int stride, int dilation, Padding padding) {

  public SequenceWindow {
    if (size < 1 || stride < 1 || dilation < 1 || padding == null) {
      throw new IllegalArgumentException(
          "a window's size, stride and dilation must be positive, and it needs a padding: " + this);
    }
  }

  /** Keras' {@code padding='valid'}: the window stays inside the sequence. */
  public static SequenceWindow valid(int size, int stride) {
    return new SequenceWindow(size, stride, 1, Padding.VALID);
  }

  /** Keras' {@code padding='same'}: zero padding keeps {@code ceil(steps / stride)}. */
  public static SequenceWindow same(int size, int stride) {
    return new SequenceWindow(size, stride, 1, Padding.SAME);
  }

  /** Keras' {@code padding='causal'}: {@code (size - 1) * dilation} zeros before the first step. */
  public static SequenceWindow causal(int size, int stride) {
    return new SequenceWindow(size, stride, 1, Padding.CAUSAL);
  }

  /** This window with gaps of {@code dilation} steps between its taps. */
  public SequenceWindow dilated(int dilation) {
    return new SequenceWindow(size, stride, dilation, padding);
  }

  /** The steps the window spans: {@code (size - 1) * dilation + 1}. */
  public int extent() {
    return (size - 1) * dilation + 1;
  }

  /** The zeros causal padding puts before the first step; 0 for valid and same. */
  public int causalPadding() {
    return padding == Padding.CAUSAL ? extent() - 1 : 0;
  }

  /** The output length for {@code steps} input steps, by Keras' rules. */
  public long outputLength(long steps) {
    return padding == Padding.VALID
        ? Math.floorDiv(steps - extent(), stride) + 1
        : (steps + stride - 1) / stride;
  }

  /**
   * The same window as a 2-D one of one row over images {@code (n, 1, steps, channels)}; a causal
   * window becomes a valid one, to run over the causally padded sequence.
   */
  public Window image() {
    return new Window(1, size, 1, stride, 1, dilation, padding == Padding.SAME);
  }
}
