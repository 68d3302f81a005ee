package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks padded steps of a sequence, Keras' {@code Masking}: on an input {@code (steps,
 * features)}, a step whose features all equal {@code maskValue} is masked. The output is the
 * input with masked steps zeroed, and carries the mask {@code (steps)}, 1 for a step that counts;
 * the layers after it skip or ignore masked steps as Keras' do (see the README's "Masks").
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Masking {

  /** The value every feature of a padded step holds. */
  double maskValue() default 0.0;
}
