package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code kernel_constraint} on a layer with a kernel: {@code @KernelConstraint(value =
 * MAX_NORM, maxValue = 3)} keeps each unit's incoming weights within norm 3 after every update.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface KernelConstraint {

  /** The constraint. */
  Constraint value();

  /** {@code MAX_NORM}'s largest norm, Keras' default 2. */
  double maxValue() default 2;
}
