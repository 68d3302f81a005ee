package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code className} values that would clash with names Kiln or the user already use: a type the
 * generated class nests, or a type of {@code dev.kiln}, which the generated class, in the
 * interface's own package, would shadow in every file importing {@code dev.kiln.*}. Names of
 * runtime classes the generated code uses (kernels, ND4J types) are fine: JavaPoet writes those
 * qualified when they clash.
 */
class ClassNameClashTest {

  @ParameterizedTest
  @ValueSource(strings = {"Buffers", "Layers", "Data", "Outputs", "Activations"})
  void nameOfAGeneratedNestedTypeIsRefused(String className) {
    JavaFileObject source = model(className);
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.NAME_CLASH, "className \"" + className + "\"",
        "nests a type of that name").on(source, "@Model", "\"" + className + "\"");
    Expect.that(compilation).only(1, 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Dense", "Model", "Tensor", "Input", "Output", "Activation"})
  void nameOfAKilnTypeIsRefused(String className) {
    Compilation compilation = Sources.compile(model(className));
    Expect.that(compilation).error(Tag.NAME_CLASH, "className \"" + className + "\"",
        "dev.kiln." + className, "import dev.kiln.*");
    Expect.that(compilation).only(1, 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"KilnModel", "INDArray", "DataType", "Relu", "Override", "String"})
  void nameOfARuntimeTypeCompiles(String className) {
    Compilation compilation = Sources.compile(model(className));
    assertThat(compilation).succeededWithoutWarnings();
  }

  private static JavaFileObject model(String className) {
    return Sources.model("Small",
        "@Model(className = \"" + className + "\")",
        "interface Small {",
        "  @Input(shape = 4) Tensor input();",
        "  @Dense(units = 8, activation = RELU) Tensor hidden(Tensor input);",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)",
        "  @Dense(units = 3, activation = SOFTMAX) Tensor output(Tensor hidden);",
        "}");
  }
}
