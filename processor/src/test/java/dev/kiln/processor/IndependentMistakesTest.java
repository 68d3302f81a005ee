package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.processor.check.Tag;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * One compile shows every independent mistake, and nothing that follows from another: not the
 * layers after a broken one, not javac's complaints about the class a failing model did not get.
 */
class IndependentMistakesTest {

  @Test
  void mistakesInSeveralMethodsAndStagesAreAllReported() {
    JavaFileObject source = Sources.model("Several",
        "@Model interface Several {",
        "  @Input(shape = {8, 8, 1}) Tensor image();",
        "  Tensor conv(Tensor image);",
        "  @MaxPooling2D Tensor pool(Tensor conv);",
        "  @Flatten Tensor flat(Tensor pool);",
        "  @Dense(units = 0) Tensor hidden(Tensor flat);",
        "  @Dense(units = 4) Tensor side(Tensor imag);",
        "  @Concatenate Tensor both(Tensor hidden, Tensor side);",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY) @Dense(units = 3) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.MISSING_LAYER_ANNOTATION, "method conv")
        .on(source, "Tensor conv(Tensor image);", "conv");
    Expect.that(compilation).error(Tag.BAD_ATTRIBUTE, "units = 0 on hidden")
        .on(source, "@Dense(units = 0)", "0");
    Expect.that(compilation).error(Tag.UNKNOWN_LAYER, "side reads from imag", "did you mean image?")
        .on(source, "Tensor side(Tensor imag)", "imag)");
    Expect.that(compilation).error(Tag.LOSS_MISMATCH, "CATEGORICAL_CROSSENTROPY on output")
        .on(source, "@Output(", "CATEGORICAL_CROSSENTROPY");
    // pool, flat, both and output read from conv or hidden: no shape, no error of their own.
    Expect.that(compilation).only(4, 0);
  }

  @Test
  void shapeErrorsAreStillFoundNextToAStructuralMistake() {
    JavaFileObject source = Sources.model("Mixed",
        "@Model interface Mixed {",
        "  @Input(shape = {5, 5, 1}) Tensor image();",
        "  @Conv2D(filters = 2, kernelSize = 8) Tensor conv(Tensor image);",
        "  @Flatten Tensor flat(Tensor conv);",
        "  @Dense(units = 4) Tensor a(Tensor b);",
        "  @Dense(units = 4) Tensor b(Tensor a);",
        "  @Concatenate Tensor both(Tensor flat, Tensor a);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor both);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.CYCLE, "a -> b -> a")
        .on(source, "Tensor a(Tensor b)", "b)");
    Expect.that(compilation).error(Tag.SHAPE_MISMATCH, "conv's 8x8 window does not fit")
        .on(source, "kernelSize = 8", "8)");
    Expect.that(compilation).only(2, 0);
  }

  @Test
  void aFailingModelCostsItsUsersOneUnresolvedNameAtMost() {
    JavaFileObject model = Sources.model("Mlp",
        "@Model interface Mlp {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 0) Tensor output(Tensor input);",
        "}");
    JavaFileObject user = JavaFileObjects.forSourceString("test.Training", String.join("\n",
        "package test;",
        "class Training {",
        "  static Object train() {",
        "    MlpModel model = MlpModel.create(42);",
        "    MlpModel.Outputs outputs = model.predict(null);",
        "    return outputs.output();",
        "  }",
        "}"));
    Compilation compilation = Sources.compile(model, user);
    Expect.that(compilation).error(Tag.BAD_ATTRIBUTE, "units = 0 on output")
        .on(model, "@Dense(units = 0)", "0");
    long javacErrors = compilation.errors().stream()
        .filter(d -> !d.getMessage(null).startsWith("[Kiln/"))
        .count();
    if (javacErrors > 1) {
      throw new AssertionError("javac added " + javacErrors + " errors: "
          + compilation.errors().stream().map(Diagnostic::toString).toList());
    }
  }

  @Test
  void aModelNamingATypeThatDoesNotExistIsLeftToJavac() {
    JavaFileObject source = Sources.model("Missing",
        "@Model interface Missing {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensr input);",
        "}");
    Compilation compilation = Sources.compile(source);
    // javac's own error, and no Kiln error built on the unresolved type.
    if (compilation.errors().size() != 1
        || compilation.errors().get(0).getMessage(null).contains("[Kiln/")
        || !compilation.errors().get(0).getMessage(null).contains("cannot find symbol")) {
      throw new AssertionError("expected javac's one error, got " + compilation.errors());
    }
  }

  @Test
  void aLayerAnnotationThatDoesNotResolveIsLeftToTheCompiler() {
    // The name Keras's aliases and older Kiln used; the annotation is @MaxPooling2D.
    JavaFileObject source = Sources.model("Pooled",
        "@Model interface Pooled {",
        "  @Input(shape = {4, 4, 1}) Tensor input();",
        "  @MaxPool2D(poolSize = 2) Tensor pool1(Tensor input);",
        "  @Flatten Tensor flat(Tensor pool1);",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    if (compilation.errors().size() != 1
        || compilation.errors().get(0).getMessage(null).contains("[Kiln/")
        || !compilation.errors().get(0).getMessage(null).contains("cannot find symbol")) {
      throw new AssertionError("expected javac's one error, got " + compilation.errors());
    }
    // Eclipse's compiler hands processors the method without the annotation it cannot resolve.
    EcjCompiler.Result ecj = EcjCompiler.compile(java.util.List.of(source));
    if (ecj.errors().isEmpty()
        || ecj.errors().stream().anyMatch(d -> d.getMessage(null).contains("[Kiln/"))) {
      throw new AssertionError("expected only ecj's errors, got\n" + ecj.describe());
    }
  }

  @Test
  void anAttributeThatDoesNotCompileIsLeftToJavac() {
    JavaFileObject source = Sources.model("Unresolved",
        "@Model interface Unresolved {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = UNITS) Tensor output(Tensor input);",
        "}");
    Compilation compilation = Sources.compile(source);
    if (compilation.errors().isEmpty()
        || compilation.errors().stream().anyMatch(d -> d.getMessage(null).contains("[Kiln/"))) {
      throw new AssertionError("expected only javac's errors, got " + compilation.errors());
    }
  }

  @Test
  void aModelWaitsForATypeThatAnotherProcessorGenerates() {
    JavaFileObject source = Sources.model("Later",
        "@Model interface Later {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor input);",
        "  @Dense(units = 2) Tensor side(Tensor input, Helper helper);",
        "}");
    // A processor that writes Helper in the first round, as another annotation processor might.
    Compilation compilation = com.google.testing.compile.Compiler.javac()
        .withProcessors(new KilnProcessor(), new HelperWriter())
        .compile(source);
    // Once Helper exists Kiln checks the model, and finds the parameter that is not a Tensor.
    Expect.that(compilation).error(Tag.NOT_A_TENSOR, "parameter helper of side is test.Helper")
        .on(source, "Tensor side(", "helper)");
    Expect.that(compilation).only(1, 0);
  }

  /** Writes {@code test.Helper} in the first round. */
  private static final class HelperWriter extends javax.annotation.processing.AbstractProcessor {
    private boolean written;

    @Override
    public java.util.Set<String> getSupportedAnnotationTypes() {
      return java.util.Set.of("*");
    }

    @Override
    public javax.lang.model.SourceVersion getSupportedSourceVersion() {
      return javax.lang.model.SourceVersion.latestSupported();
    }

    @Override
    public boolean process(
        java.util.Set<? extends javax.lang.model.element.TypeElement> annotations,
        javax.annotation.processing.RoundEnvironment round) {
      if (!written) {
        written = true;
        try (java.io.Writer writer =
            processingEnv.getFiler().createSourceFile("test.Helper").openWriter()) {
          writer.write("package test; public interface Helper {}");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return false;
    }
  }
}
