package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected layer, Keras' {@code Dense}: {@code activation(input . kernel + bias)}, with a
 * kernel of shape {@code (inputFeatures, units)}.
 *
 * <p>As in Keras, on an input of rank above two it acts on the last axis only: {@code (4, 4, 64)}
 * becomes {@code (4, 4, units)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dense {

  /** The number of output features. */
  int units();

  /** The activation applied to the output. */
  Activation activation() default Activation.LINEAR;

  /** Whether the layer adds a bias vector. */
  boolean useBias() default true;

  /** How the kernel is initialised. */
  Initializer kernelInitializer() default Initializer.GLOROT_UNIFORM;

  /** How the bias is initialised. */
  Initializer biasInitializer() default Initializer.ZEROS;
}
