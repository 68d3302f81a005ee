package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.MAE;
import static dev.kiln.Loss.MSE;
import static dev.kiln.Loss.SPARSE_CATEGORICAL_CROSSENTROPY;

import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** Small models that between them take every path of the generated step. */
final class GradientModels {

  private GradientModels() {}

  /** Tanh hidden layer, sigmoid output fused with binary cross-entropy. */
  @Model
  interface SigmoidBinary {
    @Input(shape = 6)
    Tensor input();

    @Dense(units = 5, activation = TANH)
    Tensor hidden(Tensor input);

    @Output(loss = BINARY_CROSSENTROPY)
    @Dense(units = 3, activation = SIGMOID)
    Tensor output(Tensor hidden);
  }

  /**
   * One layer read by three outputs with different losses and weights, so its gradient is the
   * sum of three contributions; a softmax in the middle of the network is not fused.
   */
  @Model
  interface FanOut {
    @Input(shape = 7)
    Tensor input();

    @Dense(units = 8, activation = RELU)
    Tensor shared(Tensor input);

    @Output(loss = CATEGORICAL_CROSSENTROPY, weight = 0.7)
    @Dense(units = 4, activation = SOFTMAX)
    Tensor classes(Tensor shared);

    @Dense(units = 5, activation = SOFTMAX)
    Tensor mixture(Tensor shared);

    @Output(loss = MSE, weight = 0.5)
    @Dense(units = 2, activation = SIGMOID)
    Tensor regression(Tensor mixture);

    @Output(loss = MAE, weight = 0.2)
    @Dense(units = 3, useBias = false)
    Tensor linear(Tensor shared);
  }

  /** Integer class labels, and a rank-3 input that Dense maps on its last axis. */
  @Model
  interface SparseSequence {
    @Input(shape = {3, 4})
    Tensor steps();

    @Dense(units = 6, activation = TANH)
    Tensor perStep(Tensor steps);

    @Output(loss = SPARSE_CATEGORICAL_CROSSENTROPY)
    @Dense(units = 5, activation = SOFTMAX)
    Tensor label(Tensor perStep);
  }
}
