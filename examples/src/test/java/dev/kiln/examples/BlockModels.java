package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Activation.TANH;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Loss.MSE;
import static dev.kiln.Padding.SAME;

import dev.kiln.*;

/** Small models built from blocks: towers with shared weights, open sizes, nesting, a model as a layer. */
final class BlockModels {

  private BlockModels() {}

  /** A tower's width. */
  @interface Width { int units(); }

  /** Two dense layers; the width of the first is the application's. */
  @Block(parameters = Width.class)
  interface Tower {
    @Input(shape = -1) Tensor x();
    @Dense(units = 0, activation = TANH) @Bind(units = "units") Tensor hidden(Tensor x);
    @Dense(units = 3) Tensor embedding(Tensor hidden);
  }

  /** Siamese towers: one tower applied to two inputs with the same weights, compared by a dense layer. */
  @Model
  interface Siamese {
    @Input(shape = 5) Tensor left();
    @Input(shape = 5) Tensor right();
    @Apply(Tower.class) @Width(units = 4) Tensor towerA(Tensor left);
    @SameWeightsAs("towerA") Tensor towerB(Tensor right);
    @Concatenate Tensor pair(Tensor towerA, Tensor towerB);
    @Output(loss = BINARY_CROSSENTROPY) @Dense(units = 1, activation = SIGMOID) Tensor same(Tensor pair);
  }

  /** A convolution stage, applied at two image sizes and nested in a bigger block. */
  @interface Filters { int filters(); int stride() default 1; }

  @Block(parameters = Filters.class)
  interface ConvStage {
    @Input(shape = {-1, -1, -1}) Tensor x();
    @Conv2D(filters = 0, kernelSize = 3, padding = SAME, activation = RELU)
    @Bind(filters = "filters", strides = "stride") Tensor conv(Tensor x);
    @BatchNormalization Tensor norm(Tensor conv);
  }

  /** Two stages of the same width, the second reading the first and a shortcut around both. */
  @Block(parameters = Filters.class)
  interface Residual {
    @Input(shape = {-1, -1, -1}) Tensor x();
    @Apply(ConvStage.class) Tensor first(Tensor x);
    @Apply(ConvStage.class) Tensor second(Tensor first);
    @Add Tensor sum(Tensor x, Tensor second);
  }

  @Model
  interface Nested {
    @Input(shape = {6, 6, 2}) Tensor image();
    @Apply(ConvStage.class) @Filters(filters = 3) Tensor stem(Tensor image);
    @Apply(Residual.class) @Filters(filters = 3) Tensor body(Tensor stem);
    @Apply(ConvStage.class) @Filters(filters = 4, stride = 2) Tensor down(Tensor body);
    @Flatten Tensor flat(Tensor down);
    @Output(loss = CATEGORICAL_CROSSENTROPY) @Dense(units = 3, activation = SOFTMAX) Tensor label(Tensor flat);
  }

  /** An encoder trained on its own (to reconstruct a code), then used as a layer of a classifier. */
  @Model
  interface TrainedEncoder {
    @Input(shape = 6) Tensor features();
    @Dense(units = 5, activation = TANH) Tensor hidden(Tensor features);
    @Output(loss = MSE) @Dense(units = 4) Tensor code(Tensor hidden);
  }

  @Model
  interface EncoderClassifier {
    @Input(shape = 6) Tensor features();
    @Apply(TrainedEncoder.class) Tensor encoder(Tensor features);
    @Dense(units = 4, activation = RELU) Tensor hidden(Tensor encoder);
    @Output(loss = CATEGORICAL_CROSSENTROPY) @Dense(units = 3, activation = SOFTMAX) Tensor label(Tensor hidden);
  }
}
