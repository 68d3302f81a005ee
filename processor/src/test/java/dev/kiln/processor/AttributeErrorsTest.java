package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Attribute values no layer can have, reported on the value as written. */
class AttributeErrorsTest {

  /** A model reading a {@code shape} input through {@code layer} into a flat MSE output. */
  private static JavaFileObject around(String name, String shape, String layer) {
    return Sources.model(name,
        "@Model interface " + name + " {",
        "  @Input(shape = " + shape + ") Tensor input();",
        "  " + layer + " Tensor layer(Tensor input);",
        "  @Flatten Tensor flat(Tensor layer);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
  }

  private static void expectOne(JavaFileObject source, Tag tag, String line, String at,
      String... keywords) {
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(tag, keywords).on(source, line, at);
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void denseWithoutUnits() {
    expectOne(around("NoUnits", "4", "@Dense(units = 0)"), Tag.BAD_ATTRIBUTE,
        "@Dense(units = 0)", "0",
        "units = 0 on layer", "a Dense layer needs at least one unit", "units = 1 or more");
  }

  @Test
  void lstmWithNegativeUnits() {
    expectOne(around("NoCells", "{5, 3}", "@LSTM(units = -2)"), Tag.BAD_ATTRIBUTE,
        "@LSTM(units = -2)", "-2",
        "units = -2 on layer", "an LSTM layer needs at least one unit");
  }

  @Test
  void convolutionWithoutFilters() {
    expectOne(around("NoFilters", "{8, 8, 1}", "@Conv2D(filters = 0, kernelSize = 3)"),
        Tag.BAD_ATTRIBUTE, "filters = 0", "0",
        "filters = 0 on layer", "a Conv2D layer needs at least one filter");
  }

  @Test
  void transposedConvolutionWithoutFilters() {
    expectOne(around("NoTFilters", "{8, 8, 1}", "@Conv2DTranspose(filters = -1, kernelSize = 3)"),
        Tag.BAD_ATTRIBUTE, "filters = -1", "-1",
        "filters = -1 on layer", "a Conv2DTranspose layer needs at least one filter");
  }

  @Test
  void emptyKernel() {
    expectOne(around("Empty", "{8, 8, 1}", "@Conv2D(filters = 2, kernelSize = 0)"),
        Tag.BAD_ATTRIBUTE, "kernelSize = 0", "0",
        "kernelSize = 0 on layer", "at least 1");
  }

  @Test
  void kernelWithThreeSizes() {
    expectOne(around("Cube", "{8, 8, 1}", "@Conv2D(filters = 2, kernelSize = {3, 3, 3})"),
        Tag.BAD_ATTRIBUTE, "kernelSize = {3, 3, 3}", "{3, 3, 3}",
        "kernelSize of layer has 3 values", "one for both axes or two (rows, columns)");
  }

  @Test
  void zeroStrides() {
    expectOne(around("Still", "{8, 8, 1}", "@Conv2D(filters = 2, kernelSize = 3, strides = 0)"),
        Tag.BAD_ATTRIBUTE, "strides = 0", "0",
        "strides = 0 on layer", "at least 1");
  }

  @Test
  void dilationWithStrides() {
    expectOne(around("Dilated", "{16, 16, 1}",
            "@Conv2D(filters = 2, kernelSize = 3, strides = 2, dilationRate = 2)"),
        Tag.BAD_ATTRIBUTE, "dilationRate = 2", "2)",
        "layer has dilationRate = [2, 2] and strides = [2, 2]", "dilated or strided, not both");
  }

  @Test
  void emptyPool() {
    expectOne(around("NoPool", "{8, 8, 1}", "@MaxPooling2D(poolSize = 0)"),
        Tag.BAD_ATTRIBUTE, "poolSize = 0", "0",
        "poolSize = 0 on layer", "at least 1");
  }

  @Test
  void averagePoolWithNegativeStrides() {
    expectOne(around("Back", "{8, 8, 1}", "@AveragePooling2D(strides = -1)"),
        Tag.BAD_ATTRIBUTE, "strides = -1", "-1",
        "strides = -1 on layer", "at least 1");
  }

  @Test
  void dropoutRateOfOne() {
    expectOne(around("DropAll", "4", "@Dropout(rate = 1.0)"), Tag.BAD_ATTRIBUTE,
        "rate = 1.0", "1.0",
        "rate = 1.0 on layer", "must be in [0, 1)");
  }

  @Test
  void negativeLeakySlope() {
    expectOne(around("Leaky", "4", "@LeakyReLU(negativeSlope = -0.3)"), Tag.BAD_ATTRIBUTE,
        "negativeSlope = -0.3", "-0.3",
        "negativeSlope = -0.3 on layer", "a finite slope of 0 or more", "default is 0.3");
  }

  @Test
  void negativeDropoutRate() {
    expectOne(around("DropLess", "4", "@Dropout(rate = -0.1)"), Tag.BAD_ATTRIBUTE,
        "rate = -0.1", "-0.1",
        "rate = -0.1 on layer", "must be in [0, 1)");
  }

  @Test
  void batchNormalizationMomentumOfOne() {
    expectOne(around("Frozen", "4", "@BatchNormalization(momentum = 1.0)"), Tag.BAD_ATTRIBUTE,
        "momentum = 1.0", "1.0",
        "momentum = 1.0 on layer", "decay must be in [0, 1)");
  }

  @Test
  void batchNormalizationWithoutEpsilon() {
    expectOne(around("Exact", "4", "@BatchNormalization(epsilon = 0)"), Tag.BAD_ATTRIBUTE,
        "epsilon = 0", "0",
        "epsilon = 0.0 on layer", "it must be positive");
  }

  @Test
  void batchNormalizationWithAnInfiniteEpsilon() {
    expectOne(around("Infinite", "4", "@BatchNormalization(epsilon = Double.POSITIVE_INFINITY)"),
        Tag.BAD_ATTRIBUTE, "epsilon = Double.POSITIVE_INFINITY", ".POSITIVE_INFINITY",
        "epsilon = Infinity on layer", "it must be positive and finite");
  }

  @Test
  void batchNormalizationOnAnotherAxis() {
    expectOne(around("Rows", "{4, 4, 2}", "@BatchNormalization(axis = 1)"), Tag.SHAPE_MISMATCH,
        "axis = 1", "1",
        "layer normalises axis 1 of (None, 4, 4, 2) from input", "use axis = -1");
  }

  @Test
  void embeddingWithoutAVocabulary() {
    JavaFileObject source = Sources.model("NoWords",
        "@Model interface NoWords {",
        "  @Input(shape = 5, dtype = DType.INT32) Tensor tokens();",
        "  @Embedding(inputDim = 0, outputDim = 8) Tensor embedded(Tensor tokens);",
        "  @Flatten Tensor flat(Tensor embedded);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    expectOne(source, Tag.BAD_ATTRIBUTE, "inputDim = 0", "0",
        "inputDim = 0 on embedded", "inputDim is the vocabulary size");
  }

  @Test
  void reshapeWithTwoUnknownSizes() {
    expectOne(around("Unknowns", "12", "@Reshape(targetShape = {-1, -1})"), Tag.BAD_ATTRIBUTE,
        "targetShape = {-1, -1}", "{-1, -1}",
        "targetShape [-1, -1] on layer is not a shape", "at most one -1");
  }

  @Test
  void negativeCropping() {
    expectOne(around("Grow", "{8, 8, 1}", "@Cropping2D(cropping = -1)"), Tag.BAD_ATTRIBUTE,
        "cropping = -1", "-1",
        "cropping of layer has -1", "cannot be negative");
  }

  @Test
  void paddingWithThreeSides() {
    expectOne(around("Three", "{8, 8, 1}", "@ZeroPadding2D(padding = {1, 2, 3})"),
        Tag.BAD_ATTRIBUTE, "padding = {1, 2, 3}", "{1, 2, 3}",
        "padding of layer has 3 values", "four (top, bottom, left, right)");
  }

  @Test
  void upSamplingByZero() {
    expectOne(around("Shrink", "{8, 8, 1}", "@UpSampling2D(size = 0)"), Tag.BAD_ATTRIBUTE,
        "size = 0", "0",
        "size = 0 on layer", "at least 1");
  }

  @Test
  void inputWithoutAShape() {
    JavaFileObject source = Sources.model("Shapeless",
        "@Model interface Shapeless {",
        "  @Input(shape = {}) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    expectOne(source, Tag.BAD_ATTRIBUTE, "shape = {}", "{}",
        "input input has an empty shape", "shape = {28, 28, 1}");
  }

  @Test
  void inputWithAnEmptyAxis() {
    expectOne(around("ZeroAxis", "{8, 0, 1}", "@Conv2D(filters = 2, kernelSize = 3)"),
        Tag.BAD_ATTRIBUTE, "shape = {8, 0, 1}", "{8, 0, 1}",
        "input input has axis size 0", "sizes must be positive");
  }

  @Test
  void variableLengthOnAnImageAxis() {
    expectOne(around("Wide", "{28, -1, 1}", "@Conv2D(filters = 2, kernelSize = 3)"),
        Tag.UNSUPPORTED, "shape = {28, -1, 1}", "{28, -1, 1}",
        "input input has shape [28, -1, 1] with -1 on axis 1",
        "only on the steps axis of a sequence", "give that axis a size");
  }

  @Test
  void inputTooLargeForAnArray() {
    expectOne(around("Huge", "{65536, 65536, 4}", "@Conv2D(filters = 2, kernelSize = 3)"),
        Tag.TOO_LARGE, "shape = {65536, 65536, 4}", "{65536, 65536, 4}",
        "input input has shape [65536, 65536, 4]", "2147483647 values a sample can hold");
  }

  @Test
  void negativeLossWeight() {
    JavaFileObject source = Sources.model("Weighted",
        "@Model interface Weighted {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE, weight = -0.5) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    expectOne(source, Tag.BAD_ATTRIBUTE, "weight = -0.5", "-0.5",
        "weight = -0.5 on output output", "finite and not negative");
  }

  @Test
  void lossWeightThatIsNotANumber() {
    JavaFileObject source = Sources.model("NotANumber",
        "@Model interface NotANumber {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE, weight = Double.NaN) @Dense(units = 1) Tensor output(Tensor input);",
        "}");
    expectOne(source, Tag.BAD_ATTRIBUTE, "weight = Double.NaN", ".NaN",
        "weight = NaN on output output", "finite and not negative");
  }

  @Test
  void everyBadAttributeOfOneLayerIsReported() {
    JavaFileObject source = around("Many", "{8, 8, 1}",
        "@Conv2D(filters = 0, kernelSize = 0, strides = {1, 1, 1})");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.BAD_ATTRIBUTE, "filters = 0")
        .on(source, "filters = 0", "0,");
    Expect.that(compilation).error(Tag.BAD_ATTRIBUTE, "kernelSize = 0")
        .on(source, "kernelSize = 0", "0, strides");
    Expect.that(compilation).error(Tag.BAD_ATTRIBUTE, "strides of layer has 3 values")
        .on(source, "strides = {1, 1, 1}", "{1, 1, 1}");
    Expect.that(compilation).only(3, 0);
  }
}
