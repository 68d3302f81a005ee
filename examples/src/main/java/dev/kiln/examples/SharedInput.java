package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.Concatenate;
import dev.kiln.Conv2D;
import dev.kiln.Dense;
import dev.kiln.Flatten;
import dev.kiln.Input;
import dev.kiln.MaxPooling2D;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/**
 * The seed's shared input layer: two convolutional feature extractors, with 4x4 and 8x8
 * kernels, read the same image; their flattened features are joined and classified.
 */
@Model(optimizer = Optimizer.ADAM)
public interface SharedInput {

  @Input(shape = {28, 28, 1})
  Tensor input();

  @Conv2D(filters = 32, kernelSize = 4, activation = RELU)
  Tensor conv1(Tensor input);

  @MaxPooling2D(poolSize = 2)
  Tensor pool1(Tensor conv1);

  @Flatten
  Tensor flat1(Tensor pool1);

  @Conv2D(filters = 16, kernelSize = 8, activation = RELU)
  Tensor conv2(Tensor input);

  @MaxPooling2D(poolSize = 2)
  Tensor pool2(Tensor conv2);

  @Flatten
  Tensor flat2(Tensor pool2);

  @Concatenate
  Tensor merge(Tensor flat1, Tensor flat2);

  @Dense(units = 64, activation = RELU)
  Tensor hidden1(Tensor merge);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output(Tensor hidden1);
}
