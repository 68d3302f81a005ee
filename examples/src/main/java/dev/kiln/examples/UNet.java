package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SIGMOID;
import static dev.kiln.Initializer.HE_NORMAL;
import static dev.kiln.Loss.BINARY_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;
import static dev.kiln.Padding.SAME;

import dev.kiln.*;

/**
 * The seed's U-Net with a 256x256 input, its repeated stages written once as blocks. The seed's
 * 572x572 does not fit together: the third pooling rounds 143 rows down to 71, so the skip tensor
 * joined in {@code up6} has 71 rows where the upsampled one has 70; Kiln rejects that at compile
 * time, at {@code up6}. A side divisible by 16 works.
 */
@Model(optimizer = Optimizer.ADAM, learningRate = 1e-4)
public interface UNet {

  /** The width of a stage: the filters of each of its convolutions. */
  @interface Width { int filters(); }

  /** Two 3x3 convolutions: one level of the contracting path. */
  @Block(parameters = Width.class)
  interface DoubleConv {
    @Input(shape = {-1, -1, -1}) Tensor x();
    @Conv2D(filters = 0, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
    @Bind(filters = "filters") Tensor a(Tensor x);
    @Conv2D(filters = 0, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
    @Bind(filters = "filters") Tensor b(Tensor a);
  }

  /** One level of the expanding path: upsample, a 2x2 convolution, join the skip tensor, two 3x3 convolutions. */
  @Block(parameters = Width.class)
  interface UpStage {
    @Input(shape = {-1, -1, -1}) Tensor skip();
    @Input(shape = {-1, -1, -1}) Tensor below();
    @UpSampling2D(size = 2) Tensor sampled(Tensor below);
    @Conv2D(filters = 0, kernelSize = 2, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
    @Bind(filters = "filters") Tensor up(Tensor sampled);
    @Concatenate(axis = 3) Tensor merge(Tensor skip, Tensor up);
    @Apply(DoubleConv.class) Tensor convs(Tensor merge);
  }

  @Input(shape = {256, 256, 1}) Tensor inputs();
  @Apply(DoubleConv.class) @Width(filters = 64) Tensor conv1(Tensor inputs);
  @MaxPooling2D(poolSize = 2) Tensor pool1(Tensor conv1);
  @Apply(DoubleConv.class) @Width(filters = 128) Tensor conv2(Tensor pool1);
  @MaxPooling2D(poolSize = 2) Tensor pool2(Tensor conv2);
  @Apply(DoubleConv.class) @Width(filters = 256) Tensor conv3(Tensor pool2);
  @MaxPooling2D(poolSize = 2) Tensor pool3(Tensor conv3);
  @Apply(DoubleConv.class) @Width(filters = 512) Tensor conv4(Tensor pool3);
  @Dropout(rate = 0.5) Tensor drop4(Tensor conv4);
  @MaxPooling2D(poolSize = 2) Tensor pool4(Tensor drop4);
  @Apply(DoubleConv.class) @Width(filters = 1024) Tensor conv5(Tensor pool4);
  @Dropout(rate = 0.5) Tensor drop5(Tensor conv5);
  @Apply(UpStage.class) @Width(filters = 512) Tensor up6(Tensor drop4, Tensor drop5);
  @Apply(UpStage.class) @Width(filters = 256) Tensor up7(Tensor conv3, Tensor up6);
  @Apply(UpStage.class) @Width(filters = 128) Tensor up8(Tensor conv2, Tensor up7);
  @Apply(UpStage.class) @Width(filters = 64) Tensor up9(Tensor conv1, Tensor up8);
  @Conv2D(filters = 2, kernelSize = 3, activation = RELU, padding = SAME, kernelInitializer = HE_NORMAL)
  Tensor conv9c(Tensor up9);
  // A 1x1 convolution gives one probability per pixel: the mask.
  @Output(loss = BINARY_CROSSENTROPY, metrics = ACCURACY)
  @Conv2D(filters = 1, kernelSize = 1, activation = SIGMOID) Tensor conv10(Tensor conv9c);
}
