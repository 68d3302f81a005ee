package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.MSE;
import static dev.kiln.Padding.SAME;
import static dev.kiln.Padding.VALID;

import dev.kiln.ActivationLayer;
import dev.kiln.Add;
import dev.kiln.AveragePooling2D;
import dev.kiln.BatchNormalization;
import dev.kiln.Concatenate;
import dev.kiln.Conv2D;
import dev.kiln.Conv2DTranspose;
import dev.kiln.Cropping2D;
import dev.kiln.Dense;
import dev.kiln.Dropout;
import dev.kiln.Flatten;
import dev.kiln.From;
import dev.kiln.GlobalAveragePooling2D;
import dev.kiln.GlobalMaxPooling2D;
import dev.kiln.Input;
import dev.kiln.MaxPooling2D;
import dev.kiln.Model;
import dev.kiln.Multiply;
import dev.kiln.Output;
import dev.kiln.Reshape;
import dev.kiln.SameWeightsAs;
import dev.kiln.Tensor;
import dev.kiln.UpSampling2D;
import dev.kiln.ZeroPadding2D;

/** Small models that between them use every convolutional layer kind, both paddings, strides. */
final class ConvGradientModels {

  private ConvGradientModels() {}

  /** Valid padding with stride 2, max pooling with same padding. */
  @Model
  interface StridedValid {
    @Input(shape = {7, 6, 2})
    Tensor image();

    @Conv2D(filters = 3, kernelSize = 3, strides = 2, padding = VALID, activation = TANH)
    Tensor conv(Tensor image);

    @MaxPooling2D(poolSize = 2, padding = SAME)
    Tensor pool(Tensor conv);

    @Flatten
    Tensor flat(Tensor pool);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor output(Tensor flat);
  }

  /**
   * A first convolution with few taps, its ReLU and a 2x2 pooling: a float32 training step runs
   * them in one pass forward and one backward ({@code Conv2D.forwardPooledReluForBackward}).
   */
  @Model
  interface FirstConvPooled {
    @Input(shape = {11, 10, 1})
    Tensor image();

    @Conv2D(filters = 32, kernelSize = 4, activation = RELU)
    Tensor conv1(Tensor image);

    @MaxPooling2D(poolSize = 2)
    Tensor pool1(Tensor conv1);

    @Flatten
    Tensor flat(Tensor pool1);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor output(Tensor flat);
  }

  /**
   * Max poolings that alone read a ReLU convolution, which the step takes backward together
   * (MaxPool2D.backwardThroughRelu): 2x2 windows with a row no window covers, then overlapping
   * 3x3 windows. 19 and 17 channels are whole float32 vectors and a part of one.
   */
  @Model
  interface ReluPooled {
    @Input(shape = {9, 8, 2})
    Tensor image();

    @Conv2D(filters = 19, kernelSize = 3, padding = SAME, activation = RELU)
    Tensor conv1(Tensor image);

    @MaxPooling2D(poolSize = 2)
    Tensor pool1(Tensor conv1);

    @Conv2D(filters = 17, kernelSize = 3, padding = SAME, activation = RELU)
    Tensor conv2(Tensor pool1);

    @MaxPooling2D(poolSize = 3, strides = 2, padding = SAME)
    Tensor pool2(Tensor conv2);

    @Flatten
    Tensor flat(Tensor pool2);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor output(Tensor flat);
  }

  /** Same padding with a dilated, non-square kernel; strided average pooling; global pooling. */
  @Model
  interface DilatedSame {
    @Input(shape = {6, 7, 2})
    Tensor image();

    @Conv2D(filters = 4, kernelSize = {3, 2}, padding = SAME, dilationRate = 2, activation = RELU)
    Tensor conv(Tensor image);

    @AveragePooling2D(poolSize = 3, strides = 2, padding = SAME)
    Tensor pool(Tensor conv);

    @GlobalAveragePooling2D
    Tensor global(Tensor pool);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor global);
  }

  /** Upsampling path: transposed convolution, cropping, zero padding, upsampling, global max. */
  @Model
  interface Upsampling {
    @Input(shape = {3, 4, 2})
    Tensor image();

    @Conv2DTranspose(filters = 3, kernelSize = 3, strides = 2, activation = TANH)
    Tensor deconv(Tensor image);

    @Cropping2D(cropping = {1, 2})
    Tensor cropped(Tensor deconv);

    @ZeroPadding2D(padding = {1, 0, 2, 1})
    Tensor padded(Tensor cropped);

    @UpSampling2D(size = {2, 1})
    Tensor upsampled(Tensor padded);

    @Conv2DTranspose(filters = 2, kernelSize = 2, strides = 1, padding = SAME)
    Tensor same(Tensor upsampled);

    @GlobalMaxPooling2D
    Tensor global(Tensor same);

    @Output(loss = MSE)
    @Dense(units = 2, activation = SIGMOID)
    Tensor output(Tensor global);
  }

  /** Merges and the layers without weights of their own. */
  @Model
  interface Merges {
    @Input(shape = 6)
    Tensor left();

    @Input(shape = 6)
    Tensor right();

    @Dense(units = 6, activation = TANH)
    Tensor a(Tensor left);

    @Add
    Tensor sum(Tensor a, Tensor right);

    @Multiply
    Tensor product(Tensor sum, Tensor a, Tensor right);

    @Concatenate
    Tensor joined(Tensor product, Tensor sum);

    @Reshape(targetShape = {3, -1})
    Tensor grid(Tensor joined);

    @BatchNormalization
    Tensor normalized(Tensor grid);

    @ActivationLayer(SIGMOID)
    Tensor squashed(Tensor normalized);

    @Dropout(rate = 0.3)
    Tensor dropped(Tensor squashed);

    @Flatten
    Tensor flat(Tensor dropped);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor flat);
  }

  /** One convolution's weights used on two inputs. */
  @Model
  interface SharedConvolution {
    @Input(shape = {5, 5, 2})
    Tensor first();

    @Input(shape = {5, 5, 2})
    Tensor second();

    @Conv2D(filters = 3, kernelSize = 3, activation = TANH)
    Tensor encodeFirst(Tensor first);

    @SameWeightsAs("encodeFirst")
    @Conv2D(filters = 3, kernelSize = 3, activation = TANH)
    Tensor encodeSecond(Tensor second);

    @Concatenate
    Tensor both(Tensor encodeFirst, Tensor encodeSecond);

    @Flatten
    Tensor flat(Tensor both);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor flat);
  }

  /** Layers without weights reading a model input, whose gradient nothing needs. */
  @Model
  interface WindowsOnInput {
    @Input(shape = {4, 4, 2})
    Tensor image();

    @MaxPooling2D
    Tensor max(Tensor image);

    @AveragePooling2D(poolSize = 1, strides = 3, padding = SAME)
    Tensor average(Tensor image);

    @GlobalMaxPooling2D
    Tensor globalMax(Tensor image);

    @GlobalAveragePooling2D
    Tensor globalAverage(Tensor image);

    @UpSampling2D
    Tensor upsampled(Tensor image);

    @Flatten
    Tensor flatMax(Tensor max);

    @Flatten
    Tensor flatAverage(Tensor average);

    @Flatten
    Tensor flatUpsampled(Tensor upsampled);

    @Concatenate
    Tensor joined(Tensor flatMax, Tensor flatAverage, Tensor globalMax, Tensor globalAverage,
        Tensor flatUpsampled);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor joined);
  }

  /** A part with a gradient between two without (a model input), joined on the steps axis. */
  @Model
  interface BetweenInputs {
    @Input(shape = {2, 3})
    Tensor steps();

    @Dense(units = 3, activation = TANH)
    Tensor mapped(Tensor steps);

    @Concatenate(axis = 1)
    Tensor joined(Tensor steps, Tensor mapped, @From("steps") Tensor again);

    @Flatten
    Tensor flat(Tensor joined);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor flat);
  }
}
