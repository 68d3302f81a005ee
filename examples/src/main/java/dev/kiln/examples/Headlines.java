package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.DType.INT32;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.Concatenate;
import dev.kiln.Dense;
import dev.kiln.Embedding;
import dev.kiln.Input;
import dev.kiln.LSTM;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/**
 * The seed's model with two inputs and two outputs: a headline of 100 word ids (a vocabulary of
 * 10,000) and 5 extra values predict whether the headline is popular. The auxiliary output
 * right after the LSTM adds an early loss with weight 0.2: Keras' {@code
 * compile(optimizer='rmsprop', loss='binary_crossentropy', loss_weights=[1., 0.2])}. Inputs and
 * outputs are declared in Keras' order ({@code inputs=[main_input, auxiliary_input]}, {@code
 * outputs=[main_output, auxiliary_output]}).
 */
@Model(optimizer = Optimizer.RMSPROP)
public interface Headlines {

  @Input(shape = 100, dtype = INT32)
  Tensor mainInput();

  @Input(shape = 5)
  Tensor auxInput();

  @Embedding(inputDim = 10_000, outputDim = 512)
  Tensor embedding(Tensor mainInput);

  @LSTM(units = 32)
  Tensor lstm(Tensor embedding);

  @Concatenate
  Tensor merged(Tensor lstm, Tensor auxInput);

  @Dense(units = 64, activation = RELU)
  Tensor dense1(Tensor merged);

  @Dense(units = 64, activation = RELU)
  Tensor dense2(Tensor dense1);

  @Dense(units = 64, activation = RELU)
  Tensor dense3(Tensor dense2);

  @Output(loss = BINARY_CROSSENTROPY, weight = 1.0, metrics = ACCURACY)
  @Dense(units = 1, activation = SIGMOID)
  Tensor mainOutput(Tensor dense3);

  @Output(loss = BINARY_CROSSENTROPY, weight = 0.2, metrics = ACCURACY)
  @Dense(units = 1, activation = SIGMOID)
  Tensor auxOutput(Tensor lstm);
}
