package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;
import static dev.kiln.Padding.CAUSAL;
import static dev.kiln.Padding.SAME;

import dev.kiln.Conv1D;
import dev.kiln.Dense;
import dev.kiln.GlobalAveragePooling1D;
import dev.kiln.Input;
import dev.kiln.MaxPooling1D;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/**
 * A 1-D convolutional classifier of time series, in the style of WaveNet's causal stacks: 64
 * steps of one channel, two causal convolutions (the second dilated) with a max pooling between
 * them, a global average over the steps, and a softmax over 3 classes. {@code SeriesConv1DTest}
 * trains it to tell three kinds of noisy waves apart.
 */
@Model(optimizer = Optimizer.ADAM, learningRate = 0.01)
public interface SeriesConv1D {

  @Input(shape = {64, 1})
  Tensor series();

  /** (64, 16): step t reads steps t - 4 to t. */
  @Conv1D(filters = 16, kernelSize = 5, padding = CAUSAL, activation = RELU)
  Tensor conv1(Tensor series);

  /** (32, 16). */
  @MaxPooling1D(poolSize = 2, padding = SAME)
  Tensor pool1(Tensor conv1);

  /** (32, 32): taps 2 steps apart, so each output reads 5 pooled steps. */
  @Conv1D(filters = 32, kernelSize = 3, dilationRate = 2, padding = CAUSAL, activation = RELU)
  Tensor conv2(Tensor pool1);

  /** (32). */
  @GlobalAveragePooling1D
  Tensor pooled(Tensor conv2);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 3, activation = SOFTMAX)
  Tensor output(Tensor pooled);
}
