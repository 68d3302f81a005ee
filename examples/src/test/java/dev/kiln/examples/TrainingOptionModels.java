package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.HUBER;
import static dev.kiln.Loss.MSE;
import static dev.kiln.Loss.SPARSE_CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;
import static dev.kiln.Metric.PRECISION;
import static dev.kiln.Metric.RECALL;
import static dev.kiln.Metric.SPARSE_TOP_K_CATEGORICAL_ACCURACY;
import static dev.kiln.Metric.TOP_K_CATEGORICAL_ACCURACY;

import dev.kiln.BatchNormalization;
import dev.kiln.Dense;
import dev.kiln.Frozen;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.SameWeightsAs;
import dev.kiln.Tensor;

/** Models using the training options: losses on raw scores, Huber, frozen layers, metrics. */
final class TrainingOptionModels {

  private TrainingOptionModels() {}

  /** Three heads of raw scores, each loss applying its own softmax or sigmoid. */
  @Model
  interface Logits {
    @Input(shape = 5)
    Tensor input();

    @Dense(units = 6, activation = RELU)
    Tensor hidden(Tensor input);

    @Output(loss = CATEGORICAL_CROSSENTROPY, fromLogits = true, metrics = TOP_K_CATEGORICAL_ACCURACY)
    @Dense(units = 7)
    Tensor classes(Tensor hidden);

    @Output(loss = SPARSE_CATEGORICAL_CROSSENTROPY, fromLogits = true,
        metrics = SPARSE_TOP_K_CATEGORICAL_ACCURACY)
    @Dense(units = 4)
    Tensor label(Tensor hidden);

    @Output(loss = BINARY_CROSSENTROPY, fromLogits = true, metrics = {ACCURACY, PRECISION, RECALL})
    @Dense(units = 3)
    Tensor flags(Tensor hidden);

    /** A raw-score output that also feeds a layer, which a fused loss would not allow. */
    @Output(loss = HUBER, weight = 0.5)
    @Dense(units = 2)
    Tensor robust(Tensor classes);
  }

  /** A frozen first layer, trained with Adam, whose momentum must not move it. */
  @Model(optimizer = Optimizer.ADAM, learningRate = 0.05)
  interface PartlyFrozen {
    @Input(shape = 4)
    Tensor input();

    @Frozen
    @Dense(units = 8, activation = RELU)
    Tensor base(Tensor input);

    @Dense(units = 6, activation = RELU)
    Tensor head(Tensor base);

    @Output(loss = BINARY_CROSSENTROPY)
    @Dense(units = 1, activation = SIGMOID)
    Tensor output(Tensor head);
  }

  /** A frozen batch normalization, which Keras runs in inference mode while training. */
  @Model(optimizer = Optimizer.SGD, learningRate = 0.1)
  interface FrozenNormalization {
    @Input(shape = 3)
    Tensor input();

    @Dense(units = 4, activation = TANH)
    Tensor hidden(Tensor input);

    @Frozen
    @BatchNormalization(momentum = 0.5)
    Tensor normalized(Tensor hidden);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor normalized);
  }

  /**
   * A frozen batch normalization applied a second time through {@code @SameWeightsAs}: the same
   * layer, so the second use runs in inference mode as well.
   */
  @Model(optimizer = Optimizer.SGD, learningRate = 0.1)
  interface FrozenNormalizationUsedTwice {
    @Input(shape = 3)
    Tensor input();

    @Frozen
    @BatchNormalization(momentum = 0.5)
    Tensor normalized(Tensor input);

    @Dense(units = 3, activation = TANH)
    Tensor hidden(Tensor normalized);

    @SameWeightsAs("normalized")
    @BatchNormalization(momentum = 0.5)
    Tensor normalizedAgain(Tensor hidden);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor normalizedAgain);
  }
}
