package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives each sample a new shape with the same number of values, Keras' {@code Reshape}; one
 * axis may be {@code -1} and is then inferred.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Reshape {

  /** The new shape of one sample, without the batch axis. */
  int[] targetShape();
}
