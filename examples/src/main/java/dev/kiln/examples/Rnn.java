package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.LSTM;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/** The seed's recurrent network: an LSTM reads the 784 pixels of an image one at a time. */
@Model(optimizer = Optimizer.ADAM)
public interface Rnn {

  /** Each pixel is a step with one feature. */
  @Input(shape = {784, 1})
  Tensor input();

  @LSTM(units = 128)
  Tensor lstm(Tensor input);

  @Dense(units = 128, activation = RELU)
  Tensor hidden1(Tensor lstm);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output(Tensor hidden1);
}
