package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The learning rate of a {@link Model} as Keras' {@code PolynomialDecay} schedule: {@code
 * (initial - end) * (1 - step / decaySteps)^power + end}, held at {@code endLearningRate} after
 * {@code decaySteps} unless {@code cycle}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface PolynomialDecay {
  double initialLearningRate();

  long decaySteps();

  double endLearningRate() default 1e-4;

  double power() default 1;

  boolean cycle() default false;
}
