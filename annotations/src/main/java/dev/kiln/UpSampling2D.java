package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Repeats each row and column of channels-last images (Keras' nearest-neighbour upsampling). */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface UpSampling2D {

  /** The factors for rows and columns (one value for both). */
  int[] size() default 2;
}
