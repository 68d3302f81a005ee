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
}
