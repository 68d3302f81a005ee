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
import dev.kiln.TimeDistributed;

/**
 * The seed's multiple-output model: an LSTM returning its state at every step feeds a stacked
 * LSTM classifier of the whole sequence and a per-step classifier.
 */
@Model(optimizer = Optimizer.ADAM)
public interface MultipleOutputs {

  @Input(shape = {784, 1})
  Tensor input();

  @LSTM(units = 64, returnSequences = true)
  Tensor extract(Tensor input);

  @LSTM(units = 32)
  Tensor class11(Tensor extract);

  @Dense(units = 32, activation = RELU)
  Tensor class12(Tensor class11);

  /** One class for the whole sequence. */
  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output1(Tensor class12);

  /** One class per step. */
  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @TimeDistributed
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output2(Tensor extract);
}
