package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A long short-term memory layer over sequences {@code (steps, features)}, Keras' {@code LSTM}
 * with its defaults: tanh activation, sigmoid recurrent activation, gates in Keras' order (input,
 * forget, cell, output), kernel {@code (features, 4 units)}, recurrent kernel {@code (units, 4
 * units)}, bias {@code (4 units)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface LSTM {

  /** The size of the state and of each output step. */
  int units();

  /** Whether to output the state after every step {@code (steps, units)} or only the last {@code (units)}. */
  boolean returnSequences() default false;

  boolean useBias() default true;

  Initializer kernelInitializer() default Initializer.GLOROT_UNIFORM;

  /** Keras initialises the recurrent kernel with a random orthogonal matrix. */
  Initializer recurrentInitializer() default Initializer.ORTHOGONAL;

  Initializer biasInitializer() default Initializer.ZEROS;

  /** Keras' {@code unit_forget_bias}: start the forget gate's bias at 1. */
  boolean unitForgetBias() default true;
}
