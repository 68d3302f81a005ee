package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.Concatenate;
import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** Small models for DL4J data pipelines, class weights and callbacks: fast to train in tests. */
final class PipelineModels {

  private PipelineModels() {}

  /** One input, one softmax output: what a DL4J DataSet describes. Plain SGD, so steps add up. */
  @Model(optimizer = Optimizer.SGD, learningRate = 0.1)
  interface Classifier {
    @Input(shape = 6)
    Tensor input();

    @Dense(units = 8, activation = RELU)
    Tensor hidden(Tensor input);

    @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor output(Tensor hidden);
  }

  /**
   * {@link Classifier} with tanh in place of relu: the same parameters, layer for layer, but
   * another architecture, whose checkpoints must not load into a Classifier.
   */
  @Model(optimizer = Optimizer.SGD, learningRate = 0.1)
  interface TanhClassifier {
    @Input(shape = 6)
    Tensor input();

    @Dense(units = 8, activation = TANH)
    Tensor hidden(Tensor input);

    @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor output(Tensor hidden);
  }

  /** Two inputs and two outputs: what a DL4J MultiDataSet describes. */
  @Model(optimizer = Optimizer.ADAM, learningRate = 0.01)
  interface TwoByTwo {
    @Input(shape = 4)
    Tensor left();

    @Input(shape = 3)
    Tensor right();

    @Concatenate
    Tensor both(Tensor left, Tensor right);

    @Dense(units = 6, activation = RELU)
    Tensor hidden(Tensor both);

    @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor kind(Tensor hidden);

    @Output(loss = BINARY_CROSSENTROPY, weight = 0.5)
    @Dense(units = 1, activation = SIGMOID)
    Tensor flag(Tensor hidden);
  }
}
