package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The maximum of each window of channels-last images, Keras' {@code MaxPooling2D}. Strides default
 * to the pool size; {@code VALID} padding drops rows and columns that do not fill a window.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface MaxPooling2D {

  /** The window's height and width (one value for both). */
  int[] poolSize() default 2;

  /** The step between windows; empty (the default) means the pool size, as in Keras. */
  int[] strides() default {};

  Padding padding() default Padding.VALID;
}
