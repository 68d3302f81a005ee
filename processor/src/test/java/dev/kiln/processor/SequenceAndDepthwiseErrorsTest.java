package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The diagnostics of the 1-D layers (Conv1D, the 1-D poolings, UpSampling1D) and of
 * DepthwiseConv2D and SeparableConv2D: each on the value or parameter at fault, with its fix.
 */
class SequenceAndDepthwiseErrorsTest {

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
  void conv1dWithoutFilters() {
    expectOne(around("NoFilters1", "{8, 2}", "@Conv1D(filters = 0, kernelSize = 3)"),
        Tag.BAD_ATTRIBUTE, "filters = 0", "0",
        "filters = 0 on layer", "a Conv1D layer needs at least one filter");
  }

  @Test
  void conv1dWithAnEmptyKernel() {
    expectOne(around("Empty1", "{8, 2}", "@Conv1D(filters = 2, kernelSize = 0)"),
        Tag.BAD_ATTRIBUTE, "kernelSize = 0", "0", "kernelSize = 0 on layer", "at least 1");
  }

  @Test
  void conv1dDilatedAndStrided() {
    expectOne(around("Both1", "{16, 2}",
            "@Conv1D(filters = 2, kernelSize = 3, strides = 2, dilationRate = 2)"),
        Tag.BAD_ATTRIBUTE, "dilationRate = 2", "2)",
        "layer has dilationRate = 2 and strides = 2", "dilated or strided, not both");
  }

  @Test
  void conv1dOnImages() {
    expectOne(around("Image1", "{8, 8, 1}", "@Conv1D(filters = 2, kernelSize = 3)"),
        Tag.SHAPE_MISMATCH, "Tensor layer(Tensor input)", "input)",
        "layer is a Conv1D layer, which reads sequences (steps, channels), but its input is"
            + " (None, 8, 8, 1) from input; use the 2-D layer for images, or @TimeDistributed");
  }

  @Test
  void conv1dOnAVector() {
    expectOne(around("Vector1", "8", "@Conv1D(filters = 2, kernelSize = 3)"),
        Tag.SHAPE_MISMATCH, "Tensor layer(Tensor input)", "input)",
        "but its input is (None, 8) from input; give it a channels axis, such as"
            + " @Input(shape = {8, 1})");
  }

  @Test
  void conv1dWindowLongerThanTheSequence() {
    expectOne(around("Long1", "{4, 2}", "@Conv1D(filters = 2, kernelSize = 3, dilationRate = 2)"),
        Tag.SHAPE_MISMATCH, "kernelSize = 3", "3",
        "layer's window spans 5 steps (kernelSize 3, dilationRate 2), more than its input"
            + " (None, 4, 2) from input has; use padding = SAME or CAUSAL, or a smaller kernelSize");
  }

  @Test
  void causalPaddingOnAnImageConvolution() {
    expectOne(around("Causal2", "{8, 8, 1}",
            "@Conv2D(filters = 2, kernelSize = 3, padding = Padding.CAUSAL)"),
        Tag.BAD_ATTRIBUTE, "padding = Padding.CAUSAL", ".CAUSAL)",
        "padding = CAUSAL on layer, but causal padding belongs to @Conv1D, which reads only"
            + " past steps of a sequence; a Conv2D layer takes VALID or SAME");
  }

  @Test
  void causalPaddingOnAPooling() {
    expectOne(around("CausalPool", "{8, 2}", "@MaxPooling1D(padding = Padding.CAUSAL)"),
        Tag.BAD_ATTRIBUTE, "padding = Padding.CAUSAL", ".CAUSAL)",
        "padding = CAUSAL on layer, but causal padding belongs to @Conv1D", "a MaxPooling1D"
            + " layer takes VALID or SAME");
  }

  @Test
  void poolingWithTwoStrides() {
    expectOne(around("TwoStrides1", "{8, 2}", "@AveragePooling1D(strides = {1, 2})"),
        Tag.BAD_ATTRIBUTE, "strides = {1, 2}", "{1, 2}",
        "strides of layer has 2 values, but a sequence has one axis to step along");
  }

  @Test
  void stridedConvolutionOfAVariableLength() {
    Compilation compilation = Sources.compile(Sources.model("Varying1",
        "@Model interface Varying1 {",
        "  @Input(shape = {-1, 2}) Tensor input();",
        "  @Conv1D(filters = 2, kernelSize = 3, strides = 2, padding = Padding.SAME)"
            + " Tensor layer(Tensor input);",
        "  @Output(loss = MSE) @GlobalAveragePooling1D Tensor output(Tensor layer);",
        "}"));
    Expect.that(compilation).error(Tag.UNSUPPORTED,
        "layer would change the length of its input (None, None, 2) from input, whose steps"
            + " vary", "keep the length with strides = 1 and padding = SAME or CAUSAL");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void upSamplingOfAVariableLength() {
    Compilation compilation = Sources.compile(Sources.model("Varying2",
        "@Model interface Varying2 {",
        "  @Input(shape = {-1, 2}) Tensor input();",
        "  @UpSampling1D Tensor layer(Tensor input);",
        "  @Output(loss = MSE) @GlobalMaxPooling1D Tensor output(Tensor layer);",
        "}"));
    Expect.that(compilation).error(Tag.UNSUPPORTED,
        "layer would change the length of its input (None, None, 2) from input",
        "give the input's steps a size");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void upSamplingByNothing() {
    expectOne(around("Zero1", "{8, 2}", "@UpSampling1D(size = 0)"),
        Tag.BAD_ATTRIBUTE, "size = 0", "0", "size = 0 on layer", "use size = 1 or more");
  }

  @Test
  void depthwiseWithoutMultiplier() {
    expectOne(around("NoMultiplier", "{8, 8, 2}",
            "@DepthwiseConv2D(kernelSize = 3, depthMultiplier = 0)"),
        Tag.BAD_ATTRIBUTE, "depthMultiplier = 0", "0",
        "depthMultiplier = 0 on layer", "use depthMultiplier = 1 or more");
  }

  @Test
  void separableOnASequence() {
    expectOne(around("SeparableSequence", "{8, 2}",
            "@SeparableConv2D(filters = 4, kernelSize = 3)"),
        Tag.SHAPE_MISMATCH, "Tensor layer(Tensor input)", "input)",
        "layer is a SeparableConv2D layer, which expects images (rows, columns, channels)");
  }

  @Test
  void depthwiseWindowLargerThanTheImage() {
    expectOne(around("BigDepthwise", "{4, 4, 2}", "@DepthwiseConv2D(kernelSize = 5)"),
        Tag.SHAPE_MISMATCH, "kernelSize = 5", "5",
        "layer's 5x5 window does not fit in its input (None, 4, 4, 2) from input");
  }
}
