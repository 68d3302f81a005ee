package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A gated recurrent unit layer over sequences {@code (steps, features)}, Keras' {@code GRU} with
 * its TensorFlow 2 defaults ({@code reset_after = true}): gates in Keras' order (update, reset,
 * candidate), kernel {@code (features, 3 units)}, recurrent kernel {@code (units, 3 units)},
 * bias {@code (2, 3 units)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface GRU {

  /** The size of the state and of each output step. */
  int units();

  /** Whether to output the state after every step {@code (steps, units)} or only the last {@code (units)}. */
  boolean returnSequences() default false;

  boolean useBias() default true;

  Initializer kernelInitializer() default Initializer.GLOROT_UNIFORM;

  /** Keras initialises the recurrent kernel with a random orthogonal matrix. */
  Initializer recurrentInitializer() default Initializer.ORTHOGONAL;

  Initializer biasInitializer() default Initializer.ZEROS;
}
