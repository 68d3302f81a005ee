package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The learning rate of a {@link Model} as Keras' {@code CosineDecay} schedule, stepped every
 * batch: with {@code warmupSteps}, a linear climb from {@code initialLearningRate} to {@code
 * warmupTarget}; then a half cosine over {@code decaySteps} down to {@code alpha} times the rate
 * it started from.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface CosineDecay {
  double initialLearningRate();

  long decaySteps();

  double alpha() default 0;

  /** The rate warm-up climbs to; unset ({@code NaN}) for no warm-up. */
  double warmupTarget() default Double.NaN;

  long warmupSteps() default 0;
}
