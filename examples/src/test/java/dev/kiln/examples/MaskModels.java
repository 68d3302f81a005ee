package dev.kiln.examples;

import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.DType.INT32;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.MSE;
import static dev.kiln.Loss.SPARSE_CATEGORICAL_CROSSENTROPY;

import dev.kiln.Add;
import dev.kiln.Bidirectional;
import dev.kiln.Dense;
import dev.kiln.GRU;
import dev.kiln.LSTM;
import dev.kiln.SimpleRNN;
import dev.kiln.Embedding;
import dev.kiln.GlobalAveragePooling1D;
import dev.kiln.Flatten;
import dev.kiln.Input;
import dev.kiln.LayerNormalization;
import dev.kiln.Masking;
import dev.kiln.Model;
import dev.kiln.MultiHeadAttention;
import dev.kiln.Output;
import dev.kiln.PositionEmbedding;
import dev.kiln.Tensor;

/** Models whose masks flow to the layers and losses that read them. */
final class MaskModels {

  private MaskModels() {}

  /**
   * Padded token ids of any length: a class of the whole sequence from the mean over its tokens,
   * and a tag per token whose loss counts the tokens only.
   */
  @Model
  interface MaskedTokens {
    @Input(shape = -1, dtype = INT32)
    Tensor tokens();

    @Embedding(inputDim = 7, outputDim = 4, maskZero = true)
    Tensor embedded(Tensor tokens);

    @Dense(units = 3, activation = TANH)
    Tensor hidden(Tensor embedded);

    @GlobalAveragePooling1D
    Tensor pooled(Tensor hidden);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 2, activation = SOFTMAX)
    Tensor label(Tensor pooled);

    @Output(loss = SPARSE_CATEGORICAL_CROSSENTROPY, weight = 0.5)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor tags(Tensor hidden);
  }

  /** A padded series, masked where every feature is -1, with a value per step. */
  @Model
  interface MaskedSeries {
    @Input(shape = {-1, 2})
    Tensor series();

    @Masking(maskValue = -1)
    Tensor masked(Tensor series);

    @Dense(units = 3, activation = TANH)
    Tensor hidden(Tensor masked);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor perStep(Tensor hidden);
  }

  /** Two masks on one sequence, ANDed by the sum: a step counts where both count. */
  @Model
  interface TwoMasks {
    @Input(shape = 5, dtype = INT32)
    Tensor tokens();

    @Input(shape = {5, 3})
    Tensor series();

    @Embedding(inputDim = 6, outputDim = 3, maskZero = true)
    Tensor embedded(Tensor tokens);

    @Masking
    Tensor masked(Tensor series);

    @Add
    Tensor sum(Tensor embedded, Tensor masked);

    @GlobalAveragePooling1D
    Tensor pooled(Tensor sum);

    @Output(loss = MSE)
    @Dense(units = 1)
    Tensor value(Tensor pooled);
  }

  /**
   * Padded tokens read both ways by an LSTM, then by a GRU to its last unmasked step, and a
   * SimpleRNN's value per step whose loss counts the tokens only.
   */
  @Model
  interface MaskedRecurrent {
    @Input(shape = -1, dtype = INT32)
    Tensor tokens();

    @Embedding(inputDim = 7, outputDim = 3, maskZero = true)
    Tensor embedded(Tensor tokens);

    @Bidirectional
    @LSTM(units = 2, returnSequences = true)
    Tensor both(Tensor embedded);

    @GRU(units = 3)
    Tensor last(Tensor both);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 2, activation = SOFTMAX)
    Tensor label(Tensor last);

    @SimpleRNN(units = 2, returnSequences = true)
    Tensor running(Tensor embedded);

    @Output(loss = MSE, weight = 0.5)
    @Dense(units = 1)
    Tensor perStep(Tensor running);
  }

  /**
   * A transformer block over padded tokens: attention among the tokens only, a mean over them,
   * and a value per token whose loss counts the tokens only.
   */
  @Model
  interface MaskedAttention {
    @Input(shape = -1, dtype = INT32)
    Tensor tokens();

    @Embedding(inputDim = 7, outputDim = 4, maskZero = true)
    Tensor embedded(Tensor tokens);

    @PositionEmbedding(sequenceLength = 12)
    Tensor positions(Tensor embedded);

    @Add
    Tensor both(Tensor embedded, Tensor positions);

    @MultiHeadAttention(numHeads = 2, keyDim = 2)
    Tensor attention(Tensor both);

    @Add
    Tensor residual(Tensor both, Tensor attention);

    @LayerNormalization
    Tensor normal(Tensor residual);

    @GlobalAveragePooling1D
    Tensor pooled(Tensor normal);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 2, activation = SOFTMAX)
    Tensor label(Tensor pooled);

    @Output(loss = MSE, weight = 0.5)
    @Dense(units = 1)
    Tensor perStep(Tensor normal);
  }

  /**
   * Unmasked queries attending causally to a padded memory: the output carries the query's (no)
   * mask, so flattening it loses nothing.
   */
  @Model
  interface MaskedMemory {
    @Input(shape = {3, 4})
    Tensor query();

    @Input(shape = 5, dtype = INT32)
    Tensor memory();

    @Embedding(inputDim = 6, outputDim = 4, maskZero = true)
    Tensor embedded(Tensor memory);

    @MultiHeadAttention(numHeads = 1, keyDim = 3, useCausalMask = true)
    Tensor read(Tensor query, Tensor embedded);

    @Flatten
    Tensor flat(Tensor read);

    @Output(loss = MSE)
    @Dense(units = 1)
    Tensor value(Tensor flat);
  }
}
