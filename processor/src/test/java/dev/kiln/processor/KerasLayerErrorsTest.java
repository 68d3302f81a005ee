package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The diagnostics of the layers added after Keras 3 (LayerNormalization, the merges, Dot,
 * Softmax), each on the value or parameter at fault.
 */
class KerasLayerErrorsTest {

  /** A model of {@code lines} between its inputs and a flat MSE output read from {@code last}. */
  private static JavaFileObject model(String name, String last, String... lines) {
    String[] all = new String[lines.length + 4];
    all[0] = "@Model interface " + name + " {";
    System.arraycopy(lines, 0, all, 1, lines.length);
    all[lines.length + 1] = "  @Flatten Tensor flat(Tensor " + last + ");";
    all[lines.length + 2] = "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);";
    all[lines.length + 3] = "}";
    return Sources.model(name, all);
  }

  /** Compiles, expects exactly one error, tagged {@code tag}, on the line and token given. */
  private static void expectOne(JavaFileObject source, Tag tag, String line, String at,
      String... keywords) {
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(tag, keywords).on(source, line, at);
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void layerNormalizationOfAnAxisBeforeTheLast() {
    expectOne(model("NormFirst", "norm",
            "  @Input(shape = {4, 3}) Tensor steps();",
            "  @LayerNormalization(axis = 1) Tensor norm(Tensor steps);"),
        Tag.SHAPE_MISMATCH, "axis = 1", "1",
        "norm normalises axes [1] of (None, 4, 3) from steps", "trailing axes only");
  }

  @Test
  void layerNormalizationOfAnAxisTheInputLacks() {
    expectOne(model("NormFar", "norm",
            "  @Input(shape = {4, 3}) Tensor steps();",
            "  @LayerNormalization(axis = -3) Tensor norm(Tensor steps);"),
        Tag.SHAPE_MISMATCH, "axis = -3", "-3",
        "norm normalises axis -3, but its input (None, 4, 3) from steps has axes 1 to 2");
  }

  @Test
  void layerNormalizationOfAVariableLength() {
    JavaFileObject source = Sources.model("NormVariable",
        "@Model interface NormVariable {",
        "  @Input(shape = {-1, 3}) Tensor steps();",
        "  @LayerNormalization(axis = {-2, -1}) Tensor norm(Tensor steps);",
        "  @Output(loss = MSE) @LSTM(units = 2) Tensor output(Tensor norm);",
        "}");
    expectOne(source, Tag.SHAPE_MISMATCH, "Tensor norm(Tensor steps)", "steps",
        "norm normalises axis 1 of (None, None, 3) from steps, whose size varies");
  }

  @Test
  void layerNormalizationWithoutEpsilon() {
    expectOne(model("NormZero", "norm",
            "  @Input(shape = 4) Tensor x();",
            "  @LayerNormalization(epsilon = 0) Tensor norm(Tensor x);"),
        Tag.BAD_ATTRIBUTE, "epsilon = 0", "0",
        "epsilon = 0.0 on norm", "must be positive and finite");
  }

  @Test
  void subtractOfThreeTensors() {
    expectOne(model("Minus", "difference",
            "  @Input(shape = 4) Tensor a();",
            "  @Input(shape = 4) Tensor b();",
            "  @Input(shape = 4) Tensor c();",
            "  @Subtract Tensor difference(Tensor a, Tensor b, Tensor c);"),
        Tag.ARITY, "@Subtract Tensor difference", "@Subtract",
        "difference is a Subtract layer, which takes two inputs, but its method has 3 parameters",
        "pass exactly two tensors, in order");
  }

  @Test
  void maximumOfTwoShapes() {
    expectOne(model("Largest", "largest",
            "  @Input(shape = 4) Tensor a();",
            "  @Input(shape = 5) Tensor b();",
            "  @Maximum Tensor largest(Tensor a, Tensor b);"),
        Tag.SHAPE_MISMATCH, "Tensor largest(Tensor a, Tensor b)", "b",
        "largest takes the maximum of (None, 4) from a and (None, 5) from b elementwise;"
            + " their shapes must be equal.");
  }

  @Test
  void dotOfAxesOfDifferentSizes() {
    expectOne(model("Scores", "scores",
            "  @Input(shape = {3, 4}) Tensor queries();",
            "  @Input(shape = {5, 6}) Tensor keys();",
            "  @Dot(axes = 2) Tensor scores(Tensor queries, Tensor keys);"),
        Tag.SHAPE_MISMATCH, "Tensor scores(Tensor queries, Tensor keys)", "keys",
        "scores multiplies axis 2 of (None, 3, 4) from queries (size 4) with axis 2 of"
            + " (None, 5, 6) from keys (size 6); the two sizes must be equal.");
  }

  @Test
  void dotOfImages() {
    expectOne(model("DotImages", "dot",
            "  @Input(shape = {3, 3, 2}) Tensor a();",
            "  @Input(shape = 2) Tensor b();",
            "  @Dot(axes = -1) Tensor dot(Tensor a, Tensor b);"),
        Tag.UNSUPPORTED, "Tensor dot(Tensor a, Tensor b)", "a, Tensor b",
        "dot takes vectors or matrices per sample, but input 1 is (None, 3, 3, 2) from a");
  }

  @Test
  void dotOfAVariableLength() {
    JavaFileObject source = Sources.model("DotVariable",
        "@Model interface DotVariable {",
        "  @Input(shape = {-1, 3}) Tensor a();",
        "  @Input(shape = 3) Tensor b();",
        "  @Dot(axes = -1) Tensor dot(Tensor a, Tensor b);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor dot);",
        "}");
    expectOne(source, Tag.UNSUPPORTED, "Tensor dot(Tensor a, Tensor b)", "a, Tensor b",
        "dot needs every size of its inputs, but input 1 is (None, None, 3) from a");
  }

  @Test
  void dotWithThreeAxes() {
    expectOne(model("DotAxes", "dot",
            "  @Input(shape = 3) Tensor a();",
            "  @Input(shape = 3) Tensor b();",
            "  @Dot(axes = {1, 1, 1}) Tensor dot(Tensor a, Tensor b);"),
        Tag.BAD_ATTRIBUTE, "axes = {1, 1, 1}", "{1, 1, 1}",
        "axes of dot has 3 values", "write axes = -1 or axes = {2, 1}");
  }

  @Test
  void dotOnTheBatchAxis() {
    expectOne(model("DotBatch", "dot",
            "  @Input(shape = 3) Tensor a();",
            "  @Input(shape = 3) Tensor b();",
            "  @Dot(axes = 0) Tensor dot(Tensor a, Tensor b);"),
        Tag.SHAPE_MISMATCH, "axes = 0", "0",
        "dot contracts axis 0 of input 1, (None, 3) from a, which has axes 1 to 1");
  }

  @Test
  void softmaxOverTheBatchAxis() {
    expectOne(model("SoftBatch", "soft",
            "  @Input(shape = {3, 4}) Tensor x();",
            "  @Softmax(axis = 0) Tensor soft(Tensor x);"),
        Tag.SHAPE_MISMATCH, "axis = 0", "0",
        "soft normalises axis 0, but its input (None, 3, 4) from x has axes 1 to 2");
  }

  @Test
  void softmaxOverAVariableLength() {
    JavaFileObject source = Sources.model("SoftVariable",
        "@Model interface SoftVariable {",
        "  @Input(shape = {-1, 3}) Tensor x();",
        "  @Softmax(axis = 1) Tensor soft(Tensor x);",
        "  @Output(loss = MSE) @LSTM(units = 2) Tensor output(Tensor soft);",
        "}");
    expectOne(source, Tag.UNSUPPORTED, "Tensor soft(Tensor x)", "x);",
        "soft normalises axis 1 of (None, None, 3) from x, whose length varies");
  }
}
