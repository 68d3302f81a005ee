package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The learning rate of a {@link Model} as Keras' {@code PiecewiseConstantDecay} schedule:
 * {@code values[0]} up to step {@code boundaries[0]} included, then {@code values[1]}, and so on;
 * one value more than boundaries.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface PiecewiseConstantDecay {
  long[] boundaries();

  double[] values();
}
