package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.Concatenate;
import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.LSTM;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/**
 * The seed's shared feature extraction: one LSTM's features read by a shallow and a deep
 * interpretation, merged before the classifier.
 */
@Model(optimizer = Optimizer.ADAM)
public interface SharedFeatureExtraction {

  @Input(shape = {784, 1})
  Tensor input();

  @LSTM(units = 128)
  Tensor lstm1(Tensor input);

  /** The shallow interpretation. */
  @Dense(units = 10, activation = RELU)
  Tensor interp1(Tensor lstm1);

  /** The deep interpretation, three layers. */
  @Dense(units = 64, activation = RELU)
  Tensor interp21(Tensor lstm1);

  @Dense(units = 32, activation = RELU)
  Tensor interp22(Tensor interp21);

  @Dense(units = 10, activation = RELU)
  Tensor interp23(Tensor interp22);

  @Concatenate
  Tensor merge(Tensor interp1, Tensor interp23);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output(Tensor merge);
}
