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

/**
 * The seed's recurrent network reading an image row by row, 28 steps of 28 pixels: the usual
 * way to train an LSTM on (Fashion-)MNIST, 28 times fewer steps than {@link Rnn}.
 */
@Model(optimizer = Optimizer.ADAM)
public interface RnnRows {

  @Input(shape = {28, 28})
  Tensor rows();

  @LSTM(units = 128)
  Tensor lstm(Tensor rows);

  @Dense(units = 128, activation = RELU)
  Tensor hidden1(Tensor lstm);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output(Tensor hidden1);
}
