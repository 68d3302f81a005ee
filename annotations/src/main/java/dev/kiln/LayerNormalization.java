package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code LayerNormalization}: each sample is normalised over {@code axis} by its own mean
 * and variance, {@code gamma * (x - mean) / sqrt(variance + epsilon) + beta}, with {@code gamma}
 * and {@code beta} shaped like the normalised axes (so Keras' parameter count). The same in
 * training and inference; no moving statistics.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface LayerNormalization {

  /**
   * The normalised axes, counting the batch axis as Keras does ({@code -1} the last); they must
   * be the trailing axes ({@code -1}, or {@code {-2, -1}}, ...).
   */
  int[] axis() default -1;

  /** Added to the variance before its square root; Keras' default 1e-3 (PyTorch's is 1e-5). */
  double epsilon() default 1e-3;

  /** Whether to add the learned offset {@code beta}. */
  boolean center() default true;

  /** Whether to multiply by the learned scale {@code gamma}. */
  boolean scale() default true;

  Initializer betaInitializer() default Initializer.ZEROS;

  Initializer gammaInitializer() default Initializer.ONES;
}
