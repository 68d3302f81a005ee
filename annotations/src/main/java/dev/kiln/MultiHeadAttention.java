package dev.kiln;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keras' {@code MultiHeadAttention} over the steps of sequences. The parameters are Keras' call
 * arguments in order: {@code (query, value)} or {@code (query, value, key)}, the key defaulting
 * to the value; a single parameter is self-attention, Keras' {@code layer(x, x)}:
 *
 * <pre>
 *   &#64;MultiHeadAttention(numHeads = 4, keyDim = 16) Tensor attention(Tensor x);
 *   &#64;MultiHeadAttention(numHeads = 4, keyDim = 16) Tensor cross(Tensor decoded, Tensor encoded);
 * </pre>
 *
 * <p>A query {@code (Tq, queryDim)} and a value {@code (Tv, queryDim)} give {@code (Tq,
 * outputShape)}. Each head projects the query and the key to {@code keyDim} and the value to
 * {@code valueDim}, scales the queries by {@code 1 / sqrt(keyDim)}, and averages the values by
 * the softmax of the query-key products; the heads' results are projected to the output. The
 * weights have Keras' layout: query, key and value kernels {@code (inputDim, numHeads, keyDim)}
 * (valueDim for the value) with biases {@code (numHeads, keyDim)}, and an output kernel {@code
 * (numHeads, valueDim, outputShape)} with a bias {@code (outputShape)}.
 *
 * <p>The attention probabilities (Keras' {@code return_attention_scores}), {@code (numHeads, Tq,
 * Tv)} per sample, are the activation {@code <layer>/scores}: {@code
 * activations(x).attentionScores()}, or {@code get("attention/scores")}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface MultiHeadAttention {

  /** The number of attention heads. */
  int numHeads();

  /** The size of each head's queries and keys. */
  int keyDim();

  /** The size of each head's values; 0 (Keras' {@code None}) means {@code keyDim}. */
  int valueDim() default 0;

  /** The share of attention probabilities dropped in training, in {@code [0, 1)}. */
  double dropout() default 0.0;

  /** Whether the projections add biases. */
  boolean useBias() default true;

  /**
   * The size of the output's last axis; 0 (Keras' {@code None}) means the query's last axis, so
   * that the output can be added to the query.
   */
  int outputShape() default 0;

  /**
   * Keras' {@code use_causal_mask}: query step {@code i} attends only to steps {@code 0..i} of
   * the value, as a decoder reading its own past.
   */
  boolean useCausalMask() default false;

  /** How the kernels are initialised. */
  Initializer kernelInitializer() default Initializer.GLOROT_UNIFORM;

  /** How the biases are initialised. */
  Initializer biasInitializer() default Initializer.ZEROS;
}
