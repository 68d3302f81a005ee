package dev.kiln.processor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Code as an IDE compiles it while it is being typed: each layer annotation with one required
 * attribute not yet written. Under javac and under ecj (Eclipse, VS Code) Kiln says something of
 * its own or nothing, never {@code [Kiln/InternalError]}: ecj hands the processor an annotation
 * whose missing value reads as an error value rather than leaving the model unresolved.
 */
class HalfTypedTest {

  static Stream<Arguments> halfTyped() {
    return Stream.of(
        layer("@Output @Dense(units = 3)"),
        layer("@Output(loss = MSE) @Dense"),
        layer("@Output(loss = MSE) @Dense(activation = RELU)"),
        image("@Conv2D(kernelSize = 3)"),
        image("@Conv2D(filters = 2)"),
        image("@Conv2DTranspose(kernelSize = 3)"),
        image("@Conv2DTranspose(filters = 2)"),
        image("@DepthwiseConv2D"),
        image("@SeparableConv2D(kernelSize = 3)"),
        image("@SeparableConv2D(filters = 2)"),
        sequence("@Conv1D(kernelSize = 3)"),
        sequence("@Conv1D(filters = 2)"),
        layer("@Output(loss = MSE) @Dropout"),
        layer("@Output(loss = MSE) @ActivationLayer"),
        layer("@Output(loss = MSE) @Reshape"),
        sequence("@LSTM"),
        sequence("@GRU"),
        sequence("@SimpleRNN"),
        sequence("@MultiHeadAttention(keyDim = 4)"),
        sequence("@MultiHeadAttention(numHeads = 2)"),
        sequence("@PositionEmbedding"),
        tokens("@Embedding(outputDim = 4)"),
        tokens("@Embedding(inputDim = 10)"),
        Arguments.of("@Input", Sources.model("Half",
            "@Model interface Half {",
            "  @Input Tensor input();",
            "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor input);",
            "}")),
        Arguments.of("@Dot", Sources.model("Half",
            "@Model interface Half {",
            "  @Input(shape = 4) Tensor a();",
            "  @Input(shape = 4) Tensor b();",
            "  @Output(loss = MSE) @Dot(normalize = true) Tensor output(Tensor a, Tensor b);",
            "}")),
        Arguments.of("@From", Sources.model("Half",
            "@Model interface Half {",
            "  @Input(shape = 4) Tensor input();",
            "  @Output(loss = MSE) @Dense(units = 2) Tensor output(@From Tensor x);",
            "}")),
        Arguments.of("@SameWeightsAs", Sources.model("Half",
            "@Model interface Half {",
            "  @Input(shape = 4) Tensor input();",
            "  @Dense(units = 4) Tensor a(Tensor input);",
            "  @SameWeightsAs @Dense(units = 4) Tensor b(Tensor a);",
            "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor b);",
            "}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("halfTyped")
  void underEcjKilnSaysItsOwnOrNothing(String state, JavaFileObject source) {
    EcjCompiler.Result result = EcjCompiler.compile(List.of(source));
    assertFalse(result.success(), "a half-typed model compiled:\n" + result.describe());
    assertNoInternalError(result.diagnostics(), result.describe());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("halfTyped")
  void underJavacKilnSaysItsOwnOrNothing(String state, JavaFileObject source) {
    Compilation compilation = Sources.compile(source);
    assertTrue(compilation.status() == Compilation.Status.FAILURE, "a half-typed model compiled");
    assertNoInternalError(compilation.diagnostics(), compilation.diagnostics().toString());
  }

  static void assertNoInternalError(
      List<? extends Diagnostic<? extends JavaFileObject>> diagnostics, String all) {
    for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics) {
      assertFalse(diagnostic.getMessage(null).contains("[Kiln/InternalError]"), all);
    }
  }

  /** An output layer annotated as given, on a vector input. */
  private static Arguments layer(String annotations) {
    return Arguments.of(annotations, Sources.model("Half",
        "@Model interface Half {",
        "  @Input(shape = 4) Tensor input();",
        "  " + annotations + " Tensor output(Tensor input);",
        "}"));
  }

  private static Arguments image(String annotation) {
    return Arguments.of(annotation, Sources.model("Half",
        "@Model interface Half {",
        "  @Input(shape = {8, 8, 1}) Tensor image();",
        "  " + annotation + " Tensor conv(Tensor image);",
        "  @Flatten Tensor flat(Tensor conv);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}"));
  }

  private static Arguments sequence(String annotation) {
    return Arguments.of(annotation, Sources.model("Half",
        "@Model interface Half {",
        "  @Input(shape = {5, 3}) Tensor steps();",
        "  " + annotation + " Tensor recurrent(Tensor steps);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor recurrent);",
        "}"));
  }

  private static Arguments tokens(String annotation) {
    return Arguments.of(annotation, Sources.model("Half",
        "@Model interface Half {",
        "  @Input(shape = 5, dtype = DType.INT32) Tensor tokens();",
        "  " + annotation + " Tensor embedded(Tensor tokens);",
        "  @Flatten Tensor flat(Tensor embedded);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}"));
  }
}
