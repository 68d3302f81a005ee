package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** The seed's multilayer perceptron: 784 inputs, hidden layers of 512, 216 and 128, 10 classes. */
@Model(optimizer = Optimizer.ADAM)
public interface Mlp {

  @Input(shape = 784)
  Tensor input();

  @Dense(units = 512, activation = RELU)
  Tensor hidden1(Tensor input);

  @Dense(units = 216, activation = RELU)
  Tensor hidden2(Tensor hidden1);

  @Dense(units = 128, activation = RELU)
  Tensor hidden3(Tensor hidden2);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output(Tensor hidden3);
}
