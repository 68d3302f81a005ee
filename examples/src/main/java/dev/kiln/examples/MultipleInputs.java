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
 * The seed's multiple-input model: a 64x64 grey image and a 32x32 colour image go through
 * convolutional branches of their own, joined before the classifier. (The seed names the second
 * input {@code img_rgb_bigsize}; it is the small one.)
 */
@Model(optimizer = Optimizer.ADAM)
public interface MultipleInputs {

  @Input(shape = {64, 64, 1})
  Tensor grayBig();

  @Input(shape = {32, 32, 3})
  Tensor rgbSmall();

  @Conv2D(filters = 32, kernelSize = 4, activation = RELU)
  Tensor conv11(Tensor grayBig);

  @MaxPooling2D(poolSize = 2)
  Tensor pool11(Tensor conv11);

  @Conv2D(filters = 16, kernelSize = 4, activation = RELU)
  Tensor conv12(Tensor pool11);

  @MaxPooling2D(poolSize = 2)
  Tensor pool12(Tensor conv12);

  @Flatten
  Tensor flat1(Tensor pool12);

  @Conv2D(filters = 32, kernelSize = 4, activation = RELU)
  Tensor conv21(Tensor rgbSmall);

  @MaxPooling2D(poolSize = 2)
  Tensor pool21(Tensor conv21);

  @Conv2D(filters = 16, kernelSize = 4, activation = RELU)
  Tensor conv22(Tensor pool21);

  @MaxPooling2D(poolSize = 2)
  Tensor pool22(Tensor conv22);

  @Flatten
  Tensor flat2(Tensor pool22);

  @Concatenate
  Tensor merge(Tensor flat1, Tensor flat2);

  @Dense(units = 128, activation = RELU)
  Tensor hidden1(Tensor merge);

  @Dense(units = 64, activation = RELU)
  Tensor hidden2(Tensor hidden1);

  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 10, activation = SOFTMAX)
  Tensor output(Tensor hidden2);
}
