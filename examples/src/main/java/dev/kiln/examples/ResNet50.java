package dev.kiln.examples;

import static dev.kiln.Activation.RELU;
import static dev.kiln.Activation.SOFTMAX;
import static dev.kiln.Loss.CATEGORICAL_CROSSENTROPY;
import static dev.kiln.Metric.ACCURACY;
import static dev.kiln.Padding.SAME;

import dev.kiln.*;

/**
 * ResNet-50 as Keras' applications build it (224x224x3, 1000 classes, include_top): a stem, four
 * stages of bottleneck blocks (3, 4, 6 and 3 of them), global average pooling and a softmax.
 * Keras' summary totals 25,636,712 parameters, 53,120 of them the batch normalizations' moving
 * statistics.
 */
@Model(optimizer = Optimizer.ADAM)
public interface ResNet50 {

  /** A bottleneck's widths: {@code filters} inside, {@code 4 * filters} out. */
  @interface Widths { int filters(); int out(); int stride() default 1; }

  /** The first block of a stage: a projected shortcut, strided where the stage halves the size. */
  @Block(parameters = Widths.class)
  interface ProjectionBlock {
    @Input(shape = {-1, -1, -1}) Tensor x();
    @Conv2D(filters = 0, kernelSize = 1) @Bind(filters = "out", strides = "stride") Tensor shortcut(Tensor x);
    @BatchNormalization(epsilon = 1.001e-5) Tensor shortcutNorm(Tensor shortcut);
    @Conv2D(filters = 0, kernelSize = 1) @Bind(filters = "filters", strides = "stride") Tensor reduce(Tensor x);
    @BatchNormalization(epsilon = 1.001e-5) Tensor reduceNorm(Tensor reduce);
    @ActivationLayer(RELU) Tensor reduceRelu(Tensor reduceNorm);
    @Conv2D(filters = 0, kernelSize = 3, padding = SAME) @Bind(filters = "filters") Tensor conv(Tensor reduceRelu);
    @BatchNormalization(epsilon = 1.001e-5) Tensor convNorm(Tensor conv);
    @ActivationLayer(RELU) Tensor convRelu(Tensor convNorm);
    @Conv2D(filters = 0, kernelSize = 1) @Bind(filters = "out") Tensor expand(Tensor convRelu);
    @BatchNormalization(epsilon = 1.001e-5) Tensor expandNorm(Tensor expand);
    @Add Tensor sum(Tensor shortcutNorm, Tensor expandNorm);
    @ActivationLayer(RELU) Tensor out(Tensor sum);
  }

  /** The other blocks of a stage: the input itself is the shortcut. */
  @Block(parameters = Widths.class)
  interface IdentityBlock {
    @Input(shape = {-1, -1, -1}) Tensor x();
    @Conv2D(filters = 0, kernelSize = 1) @Bind(filters = "filters") Tensor reduce(Tensor x);
    @BatchNormalization(epsilon = 1.001e-5) Tensor reduceNorm(Tensor reduce);
    @ActivationLayer(RELU) Tensor reduceRelu(Tensor reduceNorm);
    @Conv2D(filters = 0, kernelSize = 3, padding = SAME) @Bind(filters = "filters") Tensor conv(Tensor reduceRelu);
    @BatchNormalization(epsilon = 1.001e-5) Tensor convNorm(Tensor conv);
    @ActivationLayer(RELU) Tensor convRelu(Tensor convNorm);
    @Conv2D(filters = 0, kernelSize = 1) @Bind(filters = "out") Tensor expand(Tensor convRelu);
    @BatchNormalization(epsilon = 1.001e-5) Tensor expandNorm(Tensor expand);
    @Add Tensor sum(Tensor x, Tensor expandNorm);
    @ActivationLayer(RELU) Tensor out(Tensor sum);
  }

  @Input(shape = {224, 224, 3}) Tensor image();
  @ZeroPadding2D(padding = 3) Tensor conv1Pad(Tensor image);
  @Conv2D(filters = 64, kernelSize = 7, strides = 2) Tensor conv1(Tensor conv1Pad);
  @BatchNormalization(epsilon = 1.001e-5) Tensor conv1Norm(Tensor conv1);
  @ActivationLayer(RELU) Tensor conv1Relu(Tensor conv1Norm);
  @ZeroPadding2D(padding = 1) Tensor pool1Pad(Tensor conv1Relu);
  @MaxPooling2D(poolSize = 3, strides = 2) Tensor pool1(Tensor pool1Pad);
  @Apply(ProjectionBlock.class) @Widths(filters = 64, out = 256) Tensor stage2a(Tensor pool1);
  @Apply(IdentityBlock.class) @Widths(filters = 64, out = 256) Tensor stage2b(Tensor stage2a);
  @Apply(IdentityBlock.class) @Widths(filters = 64, out = 256) Tensor stage2c(Tensor stage2b);
  @Apply(ProjectionBlock.class) @Widths(filters = 128, out = 512, stride = 2) Tensor stage3a(Tensor stage2c);
  @Apply(IdentityBlock.class) @Widths(filters = 128, out = 512) Tensor stage3b(Tensor stage3a);
  @Apply(IdentityBlock.class) @Widths(filters = 128, out = 512) Tensor stage3c(Tensor stage3b);
  @Apply(IdentityBlock.class) @Widths(filters = 128, out = 512) Tensor stage3d(Tensor stage3c);
  @Apply(ProjectionBlock.class) @Widths(filters = 256, out = 1024, stride = 2) Tensor stage4a(Tensor stage3d);
  @Apply(IdentityBlock.class) @Widths(filters = 256, out = 1024) Tensor stage4b(Tensor stage4a);
  @Apply(IdentityBlock.class) @Widths(filters = 256, out = 1024) Tensor stage4c(Tensor stage4b);
  @Apply(IdentityBlock.class) @Widths(filters = 256, out = 1024) Tensor stage4d(Tensor stage4c);
  @Apply(IdentityBlock.class) @Widths(filters = 256, out = 1024) Tensor stage4e(Tensor stage4d);
  @Apply(IdentityBlock.class) @Widths(filters = 256, out = 1024) Tensor stage4f(Tensor stage4e);
  @Apply(ProjectionBlock.class) @Widths(filters = 512, out = 2048, stride = 2) Tensor stage5a(Tensor stage4f);
  @Apply(IdentityBlock.class) @Widths(filters = 512, out = 2048) Tensor stage5b(Tensor stage5a);
  @Apply(IdentityBlock.class) @Widths(filters = 512, out = 2048) Tensor stage5c(Tensor stage5b);
  @GlobalAveragePooling2D Tensor avgPool(Tensor stage5c);
  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)
  @Dense(units = 1000, activation = SOFTMAX) Tensor predictions(Tensor avgPool);
}
