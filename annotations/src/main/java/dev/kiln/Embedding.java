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
}
