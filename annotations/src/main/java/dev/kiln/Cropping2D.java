package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Removes rows and columns at the borders of channels-last images. {@code cropping} is one value
 * for every side, two (rows, columns) for symmetric cropping, or four (top, bottom, left,
 * right).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Cropping2D {

  int[] cropping() default 0;
}
