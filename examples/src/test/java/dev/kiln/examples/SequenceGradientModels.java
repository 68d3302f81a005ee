package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.DType.INT32;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.MSE;
import static dev.kiln.MergeMode.SUM;

import dev.kiln.BatchNormalization;
import dev.kiln.Bidirectional;
import dev.kiln.Concatenate;
import dev.kiln.Conv2D;
import dev.kiln.Dense;
import dev.kiln.Dropout;
import dev.kiln.Embedding;
import dev.kiln.Flatten;
import dev.kiln.GRU;
import dev.kiln.Input;
import dev.kiln.LSTM;
import dev.kiln.Model;
import dev.kiln.Output;
import dev.kiln.SimpleRNN;
import dev.kiln.Tensor;
import dev.kiln.TimeDistributed;

/** Small sequence models that between them use every recurrent layer kind and wrapper. */
final class SequenceGradientModels {

  private SequenceGradientModels() {}

  /** A sequence-returning LSTM read by a last-state LSTM and a per-step softmax. */
  @Model
  interface StackedLstm {
    @Input(shape = {4, 3})
    Tensor steps();

    @LSTM(units = 5, returnSequences = true)
    Tensor encoded(Tensor steps);

    @LSTM(units = 3)
    Tensor summary(Tensor encoded);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor whole(Tensor summary);

    @Output(loss = CATEGORICAL_CROSSENTROPY, weight = 0.5)
    @TimeDistributed
    @Dense(units = 3, activation = SOFTMAX)
    Tensor perStep(Tensor encoded);
  }

  /** GRU and SimpleRNN, and a bidirectional LSTM in both merge modes. */
  @Model
  interface Recurrents {
    @Input(shape = {5, 2})
    Tensor steps();

    @GRU(units = 3, returnSequences = true)
    Tensor gru(Tensor steps);

    @SimpleRNN(units = 4)
    Tensor rnn(Tensor gru);

    @Bidirectional
    @LSTM(units = 2, returnSequences = true)
    Tensor both(Tensor steps);

    @Bidirectional(mergeMode = SUM)
    @LSTM(units = 3)
    Tensor summed(Tensor both);

    @Concatenate
    Tensor joined(Tensor rnn, Tensor summed);

    @Output(loss = BINARY_CROSSENTROPY)
    @Dense(units = 2, activation = SIGMOID)
    Tensor output(Tensor joined);
  }

  /** Token ids through an embedding, and a convolution applied to every frame of a clip. */
  @Model
  interface TokensAndFrames {
    @Input(shape = 6, dtype = INT32)
    Tensor tokens();

    @Embedding(inputDim = 9, outputDim = 4)
    Tensor embedded(Tensor tokens);

    @LSTM(units = 3)
    Tensor read(Tensor embedded);

    @Input(shape = {3, 5, 5, 1})
    Tensor clip();

    @TimeDistributed
    @Conv2D(filters = 2, kernelSize = 3, activation = RELU)
    Tensor frames(Tensor clip);

    @Flatten
    Tensor flat(Tensor frames);

    @Concatenate
    Tensor joined(Tensor read, Tensor flat);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor joined);
  }

  /** Sequences of any length: the same model trains on 4 and on 7 steps. */
  @Model
  interface AnyLength {
    @Input(shape = {-1, 3})
    Tensor steps();

    @LSTM(units = 4, returnSequences = true)
    Tensor encoded(Tensor steps);

    @Output(loss = MSE)
    @TimeDistributed
    @Dense(units = 2)
    Tensor perStep(Tensor encoded);
  }

  /** Batch normalization and dropout on each step: masks per step, statistics per channel. */
  @Model
  interface PerStepNormalization {
    @Input(shape = {3, 4})
    Tensor steps();

    @TimeDistributed
    @BatchNormalization
    Tensor normalized(Tensor steps);

    @TimeDistributed
    @Dropout(rate = 0.3)
    Tensor dropped(Tensor normalized);

    @Output(loss = MSE)
    @TimeDistributed
    @Dense(units = 2)
    Tensor perStep(Tensor dropped);
  }
}
