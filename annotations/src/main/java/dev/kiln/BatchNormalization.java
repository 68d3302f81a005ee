package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code BatchNormalization} over the last (channel) axis: while training, normalises
 * with the batch's mean and variance and updates moving averages of them; otherwise normalises
 * with the moving averages. The moving averages are non-trainable parameters, as Keras counts
 * them.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface BatchNormalization {

  /** The normalised axis; only the last axis ({@code -1}) is supported. */
  int axis() default -1;

  /** The decay of the moving averages. */
  double momentum() default 0.99;

  /** Added to the variance before its square root. */
  double epsilon() default 1e-3;

  /** Whether to add the learned offset {@code beta}. */
  boolean center() default true;

  /** Whether to multiply by the learned scale {@code gamma}. */
  boolean scale() default true;

  Initializer betaInitializer() default Initializer.ZEROS;

  Initializer gammaInitializer() default Initializer.ONES;
}
