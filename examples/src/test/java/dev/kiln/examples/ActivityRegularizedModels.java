package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.MSE;

import dev.kiln.Add;
import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Regularizers;
import dev.kiln.SameWeightsAs;
import dev.kiln.Tensor;

/** Models whose layers regularize their outputs (Keras' {@code activity_regularizer}). */
final class ActivityRegularizedModels {

  private ActivityRegularizedModels() {}

  /**
   * An activity regularizer where each way of reaching a layer's output gradient differs: a layer
   * read by two others, a layer applied again by {@code @SameWeightsAs} (which regularizes as the
   * layer it applies), a merge, outputs whose loss is fused with their softmax or sigmoid, a
   * linear output, and a weight regularizer beside them.
   */
  @Model(optimizer = Optimizer.SGD, learningRate = 0.1)
  interface Activities {
    @Input(shape = 4)
    Tensor input();

    @Regularizers(activityL1 = 0.01, activityL2 = 0.02)
    @Dense(units = 5, activation = TANH)
    Tensor hidden(Tensor input);

    @Regularizers(activityL2 = 0.03, kernelL2 = 0.01)
    @Dense(units = 5, activation = TANH)
    Tensor shared(Tensor hidden);

    @SameWeightsAs("shared")
    Tensor again(Tensor shared);

    @Regularizers(activityL1 = 0.02)
    @Add
    Tensor sum(Tensor hidden, Tensor again);

    @Regularizers(activityL1 = 0.04)
    @Dense(units = 6, activation = RELU)
    Tensor rectified(Tensor sum);

    @Regularizers(activityL2 = 0.05)
    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor label(Tensor rectified);

    @Regularizers(activityL1 = 0.01, activityL2 = 0.01)
    @Output(loss = BINARY_CROSSENTROPY, weight = 0.5)
    @Dense(units = 2, activation = SIGMOID)
    Tensor flags(Tensor sum);

    @Regularizers(activityL2 = 0.02)
    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor value(Tensor hidden);
  }
}
