package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Each step of a sequence repeated {@code size} times, Keras' {@code UpSampling1D}: input {@code
 * (steps, channels)}, output {@code (steps * size, channels)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface UpSampling1D {

  /** How many times each step is repeated. */
  int size() default 2;
}
