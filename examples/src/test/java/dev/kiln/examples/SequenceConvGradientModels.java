package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.MSE;
import static dev.kiln.Padding.CAUSAL;
import static dev.kiln.Padding.SAME;

import dev.kiln.Apply;
import dev.kiln.AveragePooling1D;
import dev.kiln.Bind;
import dev.kiln.Block;
import dev.kiln.Conv1D;
import dev.kiln.Dense;
import dev.kiln.DepthwiseConv2D;
import dev.kiln.GlobalAveragePooling1D;
import dev.kiln.GlobalAveragePooling2D;
import dev.kiln.GlobalMaxPooling1D;
import dev.kiln.Input;
import dev.kiln.MaxPooling1D;
import dev.kiln.Model;
import dev.kiln.Output;
import dev.kiln.Padding;
import dev.kiln.SeparableConv2D;
import dev.kiln.Tensor;
import dev.kiln.TimeDistributed;
import dev.kiln.UpSampling1D;

/** Small models that between them use every 1-D layer kind and both depthwise kinds. */
final class SequenceConvGradientModels {

  private SequenceConvGradientModels() {}

  /** Causal and strided Conv1D, 1-D poolings, up-sampling, both global poolings. */
  @Model
  interface Sequences {
    @Input(shape = {9, 2})
    Tensor series();

    @Conv1D(filters = 3, kernelSize = 3, dilationRate = 2, padding = CAUSAL, activation = TANH)
    Tensor causal(Tensor series);

    @MaxPooling1D(poolSize = 3, strides = 2, padding = SAME)
    Tensor pooled(Tensor causal);

    @UpSampling1D(size = 2)
    Tensor repeated(Tensor pooled);

    @Conv1D(filters = 2, kernelSize = 2, strides = 2, activation = TANH)
    Tensor strided(Tensor repeated);

    @AveragePooling1D(poolSize = 2, strides = 1, padding = SAME)
    Tensor averaged(Tensor strided);

    @GlobalMaxPooling1D
    Tensor peaks(Tensor averaged);

    @Output(loss = CATEGORICAL_CROSSENTROPY)
    @Dense(units = 3, activation = SOFTMAX)
    Tensor output(Tensor peaks);
  }

  /** A depthwise convolution with a multiplier and strides, then a dilated separable one. */
  @Model
  interface Depthwise {
    @Input(shape = {7, 6, 2})
    Tensor image();

    @DepthwiseConv2D(kernelSize = 3, strides = 2, depthMultiplier = 2, padding = SAME,
        activation = TANH)
    Tensor depthwise(Tensor image);

    @SeparableConv2D(filters = 3, kernelSize = {2, 3}, dilationRate = 2, depthMultiplier = 2,
        padding = SAME, activation = TANH)
    Tensor separable(Tensor depthwise);

    @GlobalAveragePooling2D
    Tensor pooled(Tensor separable);

    @Output(loss = MSE)
    @Dense(units = 2)
    Tensor output(Tensor pooled);
  }

  /** A Conv1D along each row of an image, and a separable convolution inside @TimeDistributed. */
  @Model
  interface Wrapped {
    @Input(shape = {3, 6, 2})
    Tensor rows();

    @TimeDistributed
    @Conv1D(filters = 2, kernelSize = 3, padding = SAME, activation = RELU)
    Tensor rowConv(Tensor rows);

    @SeparableConv2D(filters = 2, kernelSize = 2, activation = TANH)
    Tensor separable(Tensor rowConv);

    @TimeDistributed
    @GlobalAveragePooling1D
    Tensor perRow(Tensor separable);

    @Output(loss = MSE)
    @Dense(units = 1)
    Tensor output(Tensor perRow);
  }

  /** What a block of sequence or depthwise layers varies between applications. */
  @interface Taps {
    int filters() default 1;

    int size();

    int stride() default 1;

    int dilation() default 1;

    int multiplier() default 1;

    Padding padding() default Padding.CAUSAL;
  }

  /** A Conv1D whose filters, window, dilation and padding each application gives. */
  @Block(parameters = Taps.class)
  interface CausalStage {
    @Input(shape = {-1, -1})
    Tensor x();

    @Conv1D(filters = 0, kernelSize = 1, activation = TANH)
    @Bind(filters = "filters", kernelSize = "size", dilationRate = "dilation", padding = "padding")
    Tensor conv(Tensor x);
  }

  /** A DepthwiseConv2D whose window, strides and multiplier each application gives. */
  @Block(parameters = Taps.class)
  interface DepthwiseStage {
    @Input(shape = {-1, -1, -1})
    Tensor x();

    @DepthwiseConv2D(kernelSize = 1, padding = SAME, activation = TANH)
    @Bind(kernelSize = "size", strides = "stride", depthMultiplier = "multiplier")
    Tensor conv(Tensor x);
  }

  /** Both blocks, each applied twice with other values. */
  @Model
  interface Bound {
    @Input(shape = {8, 2})
    Tensor series();

    @Input(shape = {6, 6, 2})
    Tensor image();

    @Apply(CausalStage.class)
    @Taps(filters = 3, size = 3, dilation = 2)
    Tensor causal(Tensor series);

    @Apply(CausalStage.class)
    @Taps(filters = 2, size = 2, padding = Padding.VALID)
    Tensor valid(Tensor causal);

    @GlobalMaxPooling1D
    Tensor seriesPeaks(Tensor valid);

    @Apply(DepthwiseStage.class)
    @Taps(size = 3, multiplier = 2)
    Tensor wide(Tensor image);

    @Apply(DepthwiseStage.class)
    @Taps(size = 2, stride = 2)
    Tensor strided(Tensor wide);

    @GlobalAveragePooling2D
    Tensor imagePooled(Tensor strided);

    @dev.kiln.Concatenate
    Tensor both(Tensor seriesPeaks, Tensor imagePooled);

    @Output(loss = MSE)
    @Dense(units = 1)
    Tensor output(Tensor both);
  }
}
