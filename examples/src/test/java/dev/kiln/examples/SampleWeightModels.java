package dev.kiln.examples;

import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.HUBER;
import static dev.kiln.Loss.MAE;
import static dev.kiln.Loss.MSE;

import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** Models trained with per-sample weights (Keras' {@code sample_weight}). */
final class SampleWeightModels {

  private SampleWeightModels() {}

  /** One head per kind of loss: the regression losses and the fused cross-entropies. */
  @Model(optimizer = Optimizer.SGD, learningRate = 0.1)
  interface Heads {
    @Input(shape = 4)
    Tensor input();

    @Dense(units = 6, activation = TANH)
    Tensor hidden(Tensor input);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor squared(Tensor hidden);

    @Output(loss = MAE, weight = 0.5)
    @Dense(units = 2)
    Tensor absolute(Tensor hidden);

    /** Huber with a delta of its own: squared up to 0.5, linear beyond. */
    @Output(loss = HUBER, huberDelta = 0.5)
    @Dense(units = 2)
    Tensor robust(Tensor hidden);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor label(Tensor hidden);

    @Output(loss = BINARY_CROSSENTROPY)
    @Dense(units = 1, activation = SIGMOID)
    Tensor flag(Tensor hidden);
  }

  /** One softmax output, where class weights apply too. */
  @Model(optimizer = Optimizer.SGD, learningRate = 0.1)
  interface WeightedClassifier {
    @Input(shape = 4)
    Tensor input();

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor label(Tensor input);
  }
}
