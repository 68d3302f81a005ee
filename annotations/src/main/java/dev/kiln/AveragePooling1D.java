package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The mean of each window of a sequence, per channel (a same-padded window averages the steps inside the sequence only), Keras' {@code AveragePooling1D}: input {@code (steps, channels)}, output {@code (steps',
 * channels)}. Strides default to the pool size.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface AveragePooling1D {

  /** The window's length in steps. */
  int poolSize() default 2;

  /** The step between windows; empty (the default) means the pool size, as in Keras. */
  int[] strides() default {};

  /** {@code VALID} or {@code SAME}. */
  Padding padding() default Padding.VALID;
}
