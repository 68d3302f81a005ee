package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Looks up a learned vector for each integer token, Keras' {@code Embedding}: an input of {@code
 * (steps)} token ids in {@code [0, inputDim)} becomes {@code (steps, outputDim)}. Its input must
 * be an {@code @Input(dtype = INT32)}.
 *
 * <p>With {@code maskZero = true} token 0 is padding: the layer also puts a mask {@code (steps)}
 * on its output, 1 where the token is not 0, and the layers after it skip or ignore the padded
 * steps as Keras' do (see the README's "Masks").
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Embedding {

  /** The vocabulary size: token ids run from 0 to {@code inputDim - 1}. */
  int inputDim();

  /** The size of each vector. */
  int outputDim();

  /** Keras' default is {@code uniform}, in +-0.05. */
  Initializer embeddingsInitializer() default Initializer.RANDOM_UNIFORM;

  /**
   * Keras' {@code mask_zero}: token 0 marks padding, and the output carries a mask of the steps
   * whose token is not 0. Token 0 still has a vector, so {@code inputDim} counts it.
   */
  boolean maskZero() default false;
}
