package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Joins two or more tensors along {@code axis}; all other axes must match. The parameters'
 * order is the order of the parts.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Concatenate {

  /** The axis to join along, counted as Keras counts it (0 is the batch axis; -1 the last). */
  int axis() default -1;
}
