package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code Dot}: per sample, the dot products of two tensors over one axis of each (the
 * first input's other axis, then the second's, make the output; two vectors give {@code (1)}).
 * Kiln takes vectors or matrices per sample ({@code (None, k)}, {@code (None, p, k)}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dot {

  /**
   * The contracted axis, counting the batch axis as Keras does: one value for both inputs, or
   * one per input ({@code {2, 1}}); negative from the end.
   */
  int[] axes();

  /**
   * Whether to divide each vector along the contracted axis by its L2 norm first (Keras 3's
   * {@code x / max(||x||, 1e-7)}): the output is then the cosine similarity.
   */
  boolean normalize() default false;
}
