package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Adds rows and columns of zeros at the borders of channels-last images. {@code padding} is one
 * value for every side, two (rows, columns) for symmetric padding, or four (top, bottom, left,
 * right).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface ZeroPadding2D {

  int[] padding() default 1;
}
