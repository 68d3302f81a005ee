package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;

/**
 * Gradients too small to matter, which the float32 backward passes of recurrent layers set to
 * zero. Over a long sequence the gradient that flows back through the steps shrinks by a factor
 * each step (the forget gate's, about 0.7 at Keras' initialisation) until it underflows to a
 * subnormal float, and then the step products ran 10 to 100 times slower, as the processor takes
 * a microcode assist for every subnormal operand or result: 2.2 s of the 2.5 s backward pass of an
 * LSTM(128) over 784 steps at batch 64, in 150 of its steps. Below 2^-100 (about 8e-31) a
 * gradient is 10^27 times under any that a loss of order one starts (float32 keeps 7 digits), no
 * optimizer moves a parameter by it (Adam's and RMSprop's epsilon, 1e-7, dwarfs it), and flushing
 * at that level rather than at the subnormal boundary keeps its products with weights (a weight as
 * small as 2^-26 included) normal as well. Float64 passes keep every value. LSTM, GRU and
 * SimpleRNN flush their float32 gradients, in lanes and in loops.
 */
final class TinyGradients {

  /** Float32 gradients whose magnitude is below this are written as zero. */
  static final float FLOOR = 0x1p-100f;

  private TinyGradients() {}

  /** The floor of gradients in {@code elements}: {@link #FLOOR} for float32, else 0 (keep all). */
  static double floorOf(Elements elements) {
    return elements instanceof Elements.Floats ? FLOOR : 0;
  }

  /** {@code value}, or zero when its magnitude is below {@code floor}. */
  static double flushed(double value, double floor) {
    return Math.abs(value) < floor ? 0 : value;
  }
}
