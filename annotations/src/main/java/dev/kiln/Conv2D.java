package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-D convolution over channels-last images, Keras' {@code Conv2D}: input {@code (h, w, c)},
 * kernel {@code (kernelHeight, kernelWidth, c, filters)}, output {@code (h', w', filters)}.
 * Array attributes take one value for both axes: {@code kernelSize = 4} means 4x4.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Conv2D {

  /** The number of output channels. */
  int filters();

  /** The window's height and width (one value for both). */
  int[] kernelSize();

  /** The step between windows (one value for both axes). */
  int[] strides() default 1;

  Padding padding() default Padding.VALID;

  /** Keras' {@code dilation_rate}: the gap between the window's taps (one value for both axes). */
  int[] dilationRate() default 1;

  Activation activation() default Activation.LINEAR;

  boolean useBias() default true;

  Initializer kernelInitializer() default Initializer.GLOROT_UNIFORM;

  Initializer biasInitializer() default Initializer.ZEROS;
}
