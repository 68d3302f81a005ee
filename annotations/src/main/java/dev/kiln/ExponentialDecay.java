package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The learning rate of a {@link Model} as Keras' {@code ExponentialDecay} schedule, stepped every
 * batch: {@code initialLearningRate * decayRate^(step / decaySteps)}, the exponent floored when
 * {@code staircase}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ExponentialDecay {
  double initialLearningRate();

  long decaySteps();

  double decayRate();

  boolean staircase() default false;
}
