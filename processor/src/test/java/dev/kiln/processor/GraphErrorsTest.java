package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Mistakes in how layers connect, reported on the method at fault. */
class GraphErrorsTest {

  @Test
  void referenceToAMissingLayerNamesItAndSuggestsTheNearestName() {
    JavaFileObject source =
        Sources.model(
            "Typo",
            "@Model interface Typo {",
            "  @Input(shape = 4) Tensor input();",
            "  @Dense(units = 8) Tensor hidden1(Tensor input);",
            "  @Output(loss = MSE)",
            "  @Dense(units = 2) Tensor output(Tensor hiden1);",
            "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/UnknownLayer] output reads from hiden1, but there is no layer named hiden1; did you mean hidden1?")
        .inFile(source)
        .onLineContaining("Tensor output(Tensor hiden1)");
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void twoLayerCycleIsReportedOnceWithItsPath() {
    JavaFileObject source =
        Sources.model(
            "Loop",
            "@Model interface Loop {",
            "  @Input(shape = 4) Tensor input();",
            "  @Dense(units = 8) Tensor a(Tensor b);",
            "  @Dense(units = 8) Tensor b(Tensor a);",
            "  @Output(loss = MSE)",
            "  @Dense(units = 2) Tensor output(Tensor a);",
            "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/Cycle] layers form a cycle: a -> b -> a")
        .inFile(source)
        .onLineContaining("Tensor a(Tensor b)");
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void longerCyclePrintsTheWholePathFromWhereItIsEntered() {
    JavaFileObject source =
        Sources.model(
            "Ring",
            "@Model interface Ring {",
            "  @Input(shape = 4) Tensor input();",
            "  @Dense(units = 8) Tensor first(Tensor input);",
            "  @Dense(units = 8) Tensor second(Tensor fourth);",
            "  @Dense(units = 8) Tensor third(Tensor second);",
            "  @Dense(units = 8) Tensor fourth(Tensor third);",
            "  @Output(loss = MSE)",
            "  @Dense(units = 2) Tensor output(Tensor fourth);",
            "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation)
        .hadErrorContaining("layers form a cycle: second -> third -> fourth -> second")
        .inFile(source)
        .onLineContaining("Tensor second(Tensor fourth)");
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void soundModelCompilesWithoutDiagnostics() {
    Compilation compilation =
        Sources.compile(
            Sources.model(
                "Small",
                "@Model interface Small {",
                "  @Input(shape = 4) Tensor input();",
                "  @Dense(units = 8, activation = RELU) Tensor hidden(Tensor input);",
                "  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)",
                "  @Dense(units = 3, activation = SOFTMAX) Tensor output(Tensor hidden);",
                "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.SmallModel");
  }
}
