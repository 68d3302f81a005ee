package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code Dropout}: while training, zeroes each value with probability {@code rate} and
 * scales the rest by {@code 1 / (1 - rate)}; the identity otherwise.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dropout {

  /** The share of values dropped, in [0, 1). */
  double rate();
}
