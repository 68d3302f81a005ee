package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Eclipse compiler (Eclipse, VS Code's Java tools) and javac must generate the same model
 * class from the same interface: the architecture fingerprint in particular, or a checkpoint
 * trained from the IDE would not load into the Maven-built jar. Each model uses attributes of
 * every kind the fingerprint renders: enums, enum arrays, ints, int arrays, doubles, booleans,
 * strings.
 */
class EcjCompilationTest {

  private static final Pattern FINGERPRINT = Pattern.compile("\"([0-9a-f]{24})\"");

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of(
            "Small",
            Sources.model(
                "Small",
                "@Model(optimizer = Optimizer.ADAM, learningRate = 0.0005)",
                "interface Small {",
                "  @Input(shape = 4) Tensor input();",
                "  @Dense(units = 8, activation = RELU, kernelInitializer = Initializer.HE_NORMAL)",
                "  Tensor hidden(Tensor input);",
                "  @Dropout(rate = 0.25) Tensor dropped(Tensor hidden);",
                "  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = {ACCURACY, TOP_K_CATEGORICAL_ACCURACY})",
                "  @Dense(units = 3, activation = SOFTMAX) Tensor output(Tensor dropped);",
                "}")),
        Arguments.of(
            "Images",
            Sources.model(
                "Images",
                "@Model(optimizer = Optimizer.SGD, className = \"ImagesNet\")",
                "interface Images {",
                "  @Input(shape = {8, 8, 1}) Tensor image();",
                "  @Conv2D(filters = 4, kernelSize = {3, 3}, padding = Padding.SAME, activation = RELU)",
                "  Tensor conv(Tensor image);",
                "  @MaxPooling2D(poolSize = {2, 2}) Tensor pool(Tensor conv);",
                "  @Conv2D(filters = 4, kernelSize = 3, useBias = false) Tensor conv2(Tensor pool);",
                "  @Concatenate(axis = 3) Tensor both(Tensor conv2, Tensor conv2b);",
                "  @Conv2D(filters = 2, kernelSize = 3) Tensor conv2b(Tensor pool);",
                "  @Flatten Tensor flat(Tensor both);",
                "  @Output(loss = MSE, metrics = MEAN_ABSOLUTE_ERROR)",
                "  @Dense(units = 2) Tensor output(Tensor flat);",
                "}")),
        Arguments.of(
            "Shared",
            Sources.model(
                "Shared",
                "@Model",
                "interface Shared {",
                "  @Input(shape = {2, 3}) Tensor input();",
                "  @Dense(units = 4, activation = TANH) Tensor d(Tensor input);",
                "  @Flatten Tensor flat(Tensor d);",
                "  @Dropout(rate = 0.5) Tensor dropped(Tensor flat);",
                "  @Dense(units = 3, activation = RELU) Tensor a(Tensor dropped);",
                "  @Dense(units = 3, activation = GELU) Tensor b(Tensor dropped);",
                "  @Add Tensor sum(Tensor a, Tensor b);",
                "  @Output(loss = MSE) @ActivationLayer(LINEAR) Tensor output(Tensor sum);",
                "}")),
        Arguments.of(
            "Staged",
            Sources.model(
                "Staged",
                "@Model(optimizer = Optimizer.ADAM)",
                "interface Staged {",
                "  @interface Width { int filters(); }",
                "  @Block(parameters = Width.class)",
                "  interface Stage {",
                "    @Input(shape = {-1, -1, -1}) Tensor x();",
                "    @Conv2D(filters = 0, kernelSize = 3, padding = Padding.SAME, activation = RELU)",
                "    @Bind(filters = \"filters\") Tensor conv(Tensor x);",
                "    @MaxPooling2D Tensor pool(Tensor conv);",
                "  }",
                "  @Input(shape = {8, 8, 1}) Tensor image();",
                "  @Apply(Stage.class) @Width(filters = 4) Tensor one(Tensor image);",
                "  @Apply(Stage.class) @Width(filters = 2) Tensor two(Tensor one);",
                "  @GlobalMaxPooling2D Tensor pooled(Tensor two);",
                "  @Output(loss = MSE)",
                "  @Dense(units = 2) Tensor output(Tensor pooled);",
                "}")),
        Arguments.of(
            "Words",
            Sources.model(
                "Words",
                "@Model",
                "interface Words {",
                "  @Input(shape = 6, dtype = DType.INT32) Tensor tokens();",
                "  @Embedding(inputDim = 20, outputDim = 4) Tensor embedded(Tensor tokens);",
                "  @Bidirectional(mergeMode = MergeMode.SUM)",
                "  @LSTM(units = 3, returnSequences = true) Tensor sequence(Tensor embedded);",
                "  @LSTM(units = 2) Tensor last(Tensor sequence);",
                "  @Output(loss = BINARY_CROSSENTROPY, metrics = ACCURACY, weight = 0.5)",
                "  @Dense(units = 1, activation = SIGMOID) Tensor output(Tensor last);",
                "}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void ecjAndJavacGenerateTheSameModelClass(String name, JavaFileObject source)
      throws IOException {
    Compilation javac = Sources.compile(source);
    assertThat(javac).succeeded();
    EcjCompiler.Result ecj = EcjCompiler.compile(List.of(source));
    assertTrue(ecj.success(), () -> "ecj failed:\n" + ecj.describe());
    String generated = javac.generatedSourceFiles().stream()
        .filter(file -> file.getName().endsWith("Model.java") || file.getName().endsWith("Net.java"))
        .findFirst()
        .orElseThrow()
        .getCharContent(true)
        .toString();
    String qualified = "test." + (name.equals("Images") ? "ImagesNet" : name + "Model");
    String fromEcj = ecj.generatedSource(qualified);
    // The fingerprint first, so a difference there is named as such.
    assertEquals(fingerprint(generated), fingerprint(fromEcj), "fingerprint");
    assertEquals(generated, fromEcj);
  }

  private static String fingerprint(String source) {
    Matcher matcher = FINGERPRINT.matcher(source);
    assertTrue(matcher.find(), "no fingerprint in\n" + source);
    return matcher.group(1);
  }
}
