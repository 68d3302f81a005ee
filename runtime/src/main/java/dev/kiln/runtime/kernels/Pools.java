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
}
