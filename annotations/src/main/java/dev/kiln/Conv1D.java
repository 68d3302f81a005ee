package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 1-D convolution along the steps of a sequence, Keras' {@code Conv1D}: input {@code (steps,
 * channels)}, kernel {@code (kernelSize, channels, filters)}, output {@code (steps', filters)}.
 * {@code padding = CAUSAL} pads before the first step only, so no output reads a later step.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Conv1D {

  /** The number of output channels. */
  int filters();

  /** The window's length in steps. */
  int kernelSize();

  /** The step between windows. */
  int strides() default 1;

  /** {@code VALID}, {@code SAME} or {@code CAUSAL}. */
  Padding padding() default Padding.VALID;

  /** Keras' {@code dilation_rate}: the gap between the window's taps. */
  int dilationRate() default 1;

  Activation activation() default Activation.LINEAR;

  boolean useBias() default true;

  Initializer kernelInitializer() default Initializer.GLOROT_UNIFORM;

  Initializer biasInitializer() default Initializer.ZEROS;
}
