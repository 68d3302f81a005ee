package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code LeakyReLU} layer: {@code x} where positive, else {@code negativeSlope * x}. Its
 * default slope is the Keras layer's, 0.3; the activation {@code LEAKY_RELU} (on a Dense, a
 * Conv2D, ...) has the {@code leaky_relu} function's, 0.2.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface LeakyReLU {

  /** The slope for negative inputs: finite and not negative, as Keras requires. */
  double negativeSlope() default 0.3;
}
