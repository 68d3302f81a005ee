package dev.kiln.runtime.kernels;

/** Checks shared by the pooling kernels. */
final class Pools {

  private Pools() {}

  /**
   * Keras' pooling layers have no dilation; libnd4j's pooling ops take one, but the kernels'
   * tests check only undilated windows, so a dilated one is refused rather than trusted.
   */
  static void requireUndilated(Window window) {
    if (window.dilationHeight() != 1 || window.dilationWidth() != 1) {
      throw new IllegalArgumentException("pooling windows are not dilated: " + window);
    }
  }

  /** A 1-D pooling window as a 2-D one of one row; causal padding is Conv1D's alone. */
  static Window image(SequenceWindow window) {
    if (window.padding() == dev.kiln.Padding.CAUSAL || window.dilation() != 1) {
      throw new IllegalArgumentException(
          "pooling windows are valid or same, and not dilated: " + window);
    }
    return window.image();
  }
}
