package dev.kiln.spark;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** A small classifier for the distributed tests, trained with SGD. */
@Model(optimizer = Optimizer.SGD)
interface SgdSeed {

  @Input(shape = 6)
  Tensor input();

  @Dense(units = 16, activation = TANH)
  Tensor hidden1(Tensor input);

  @Dense(units = 8, activation = RELU)
  Tensor hidden2(Tensor hidden1);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 3, activation = SOFTMAX)
  Tensor output(Tensor hidden2);
}
