package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A depthwise-separable 2-D convolution, Keras' {@code SeparableConv2D}: a {@link DepthwiseConv2D}
 * without bias (kernel {@code (kernelHeight, kernelWidth, c, depthMultiplier)}, with the strides,
 * padding and dilation), then a 1x1 convolution mixing its {@code c * depthMultiplier} channels
 * into {@code filters} (kernel {@code (1, 1, c * depthMultiplier, filters)}), then the bias {@code
 * (filters)}. Input {@code (h, w, c)}, output {@code (h', w', filters)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface SeparableConv2D {

  /** The number of output channels. */
  int filters();

  /** The depthwise window's height and width (one value for both). */
  int[] kernelSize();

  /** The step between windows (one value for both axes). */
  int[] strides() default 1;

  /** {@code VALID} or {@code SAME}. */
  Padding padding() default Padding.VALID;

  /** Depthwise output channels per input channel. */
  int depthMultiplier() default 1;

  /** Keras' {@code dilation_rate}: the gap between the window's taps (one value for both axes). */
  int[] dilationRate() default 1;

  Activation activation() default Activation.LINEAR;

  boolean useBias() default true;

  Initializer depthwiseInitializer() default Initializer.GLOROT_UNIFORM;

  Initializer pointwiseInitializer() default Initializer.GLOROT_UNIFORM;

  Initializer biasInitializer() default Initializer.ZEROS;
}
