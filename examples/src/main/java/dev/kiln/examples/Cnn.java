package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;

import dev.kiln.Conv2D;
import dev.kiln.Dense;
import dev.kiln.Input;
import dev.kiln.MaxPooling2D;
import dev.kiln.Model;
import dev.kiln.Optimizer;
import dev.kiln.Output;
import dev.kiln.Tensor;

/**
 * The seed's convolutional network, exactly as the seed writes it: its Dense layers follow the
 * second pooling without a Flatten, so they act on the channel axis of each of the 4x4
 * positions and the output is (4, 4, 10), as in the seed's Keras table. Kiln compiles it and
 * warns on {@code hidden1}; {@link CnnFlat} is the network the author meant.
 */
@Model(optimizer = Optimizer.ADAM)
public interface Cnn {

  @Input(shape = {28, 28, 1})
  Tensor input();

  @Conv2D(filters = 128, kernelSize = 4, activation = RELU)
  Tensor conv1(Tensor input);

  @MaxPooling2D(poolSize = 2)
  Tensor pool1(Tensor conv1);

  @Conv2D(filters = 64, kernelSize = 4, activation = RELU)
  Tensor conv2(Tensor pool1);

  @MaxPooling2D(poolSize = 2)
  Tensor pool2(Tensor conv2);

  @Dense(units = 64, activation = RELU)
  Tensor hidden1(Tensor pool2);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output(Tensor hidden1);
}
