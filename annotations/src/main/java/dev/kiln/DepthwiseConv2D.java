package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A depthwise 2-D convolution, Keras' {@code DepthwiseConv2D}: each input channel is convolved with
 * {@code depthMultiplier} filters of its own and channels never mix. Input {@code (h, w, c)},
 * depthwise kernel {@code (kernelHeight, kernelWidth, c, depthMultiplier)}, bias {@code (c *
 * depthMultiplier)}, output {@code (h', w', c * depthMultiplier)}, where output channel {@code i *
 * depthMultiplier + m} is input channel {@code i} through its filter {@code m}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface DepthwiseConv2D {

  /** The window's height and width (one value for both). */
  int[] kernelSize();

  /** The step between windows (one value for both axes). */
  int[] strides() default 1;

  /** {@code VALID} or {@code SAME}. */
  Padding padding() default Padding.VALID;

  /** Output channels per input channel. */
  int depthMultiplier() default 1;

  /** Keras' {@code dilation_rate}: the gap between the window's taps (one value for both axes). */
  int[] dilationRate() default 1;

  Activation activation() default Activation.LINEAR;

  boolean useBias() default true;

  Initializer depthwiseInitializer() default Initializer.GLOROT_UNIFORM;

  Initializer biasInitializer() default Initializer.ZEROS;
}
