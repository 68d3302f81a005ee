package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A learned vector per position, KerasNLP's {@code PositionEmbedding}: a table {@code
 * (sequenceLength, features)} whose first {@code steps} rows are the output for an input
 * {@code (steps, features)}, the same for every sample. Only the input's shape matters, so that
 * token and position embeddings add up:
 *
 * <pre>
 *   &#64;Embedding(inputDim = 1000, outputDim = 32) Tensor tokenEmbedding(Tensor tokens);
 *   &#64;PositionEmbedding(sequenceLength = 64) Tensor positions(Tensor tokenEmbedding);
 *   &#64;Add Tensor embedded(Tensor tokenEmbedding, Tensor positions);
 * </pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface PositionEmbedding {

  /** The longest sequence the table covers; a longer input is refused. */
  int sequenceLength();

  /** How the table is initialised; KerasNLP's default is Glorot uniform. */
  Initializer initializer() default Initializer.GLOROT_UNIFORM;
}
