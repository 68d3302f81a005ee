package dev.kiln.examples;

import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.DType.INT32;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.MSE;

import dev.kiln.Add;
import dev.kiln.Dense;
import dev.kiln.Embedding;
import dev.kiln.Flatten;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.MultiHeadAttention;
import dev.kiln.Output;
import dev.kiln.PositionEmbedding;
import dev.kiln.Tensor;

/** Small attention models: self-attention with a causal mask, cross-attention, dropout. */
final class AttentionModels {

  private AttentionModels() {}

  /** Causal self-attention added back to its input, as in a decoder block. */
  @Model
  interface CausalSelfAttention {
    @Input(shape = {5, 4})
    Tensor steps();

    @MultiHeadAttention(numHeads = 2, keyDim = 3, useCausalMask = true)
    Tensor attention(Tensor steps);

    @Add
    Tensor residual(Tensor steps, Tensor attention);

    @Flatten
    Tensor flat(Tensor residual);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor label(Tensor flat);
  }

  /** A query attending to a memory with keys of their own, and values of another size. */
  @Model
  interface CrossAttention {
    @Input(shape = {3, 4})
    Tensor query();

    @Input(shape = {5, 4})
    Tensor memory();

    @Input(shape = {5, 2})
    Tensor keys();

    @Output(loss = MSE)
    @MultiHeadAttention(numHeads = 2, keyDim = 2, valueDim = 3, outputShape = 6)
    Tensor cross(Tensor query, Tensor memory, Tensor keys);

    @Output(loss = MSE, weight = 0.5)
    @MultiHeadAttention(numHeads = 1, keyDim = 2, useBias = false)
    Tensor valueAsKey(Tensor query, Tensor memory);
  }

  /** Self-attention with dropout on its probabilities, over sequences of any length. */
  @Model
  interface AttentionDropout {
    @Input(shape = {-1, 3})
    Tensor steps();

    @MultiHeadAttention(numHeads = 2, keyDim = 2, dropout = 0.3)
    Tensor attention(Tensor steps);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor perStep(Tensor attention);
  }

  /** Token and position embeddings added, then self-attention, over token ids of any length. */
  @Model
  interface EmbeddedTokens {
    @Input(shape = -1, dtype = INT32)
    Tensor tokens();

    @Embedding(inputDim = 7, outputDim = 4)
    Tensor tokenEmbedding(Tensor tokens);

    @PositionEmbedding(sequenceLength = 6)
    Tensor positions(Tensor tokenEmbedding);

    @Add
    Tensor embedded(Tensor tokenEmbedding, Tensor positions);

    @MultiHeadAttention(numHeads = 2, keyDim = 2)
    Tensor attention(Tensor embedded);

    @Output(loss = MSE)
    @Dense(units = 1)
    Tensor perStep(Tensor attention);
  }
}
