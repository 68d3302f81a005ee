package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A transposed 2-D convolution (Keras' {@code Conv2DTranspose}), the upsampling counterpart of
 * {@link Conv2D}: kernel {@code (kernelHeight, kernelWidth, filters, c)}; output sides {@code
 * (in - 1) * stride + kernel} with {@code VALID} padding, {@code in * stride} with {@code SAME}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Conv2DTranspose {

  int filters();

  int[] kernelSize();

  int[] strides() default 1;

  Padding padding() default Padding.VALID;

  int[] dilationRate() default 1;

  Activation activation() default Activation.LINEAR;

  boolean useBias() default true;

  Initializer kernelInitializer() default Initializer.GLOROT_UNIFORM;

  Initializer biasInitializer() default Initializer.ZEROS;
}
