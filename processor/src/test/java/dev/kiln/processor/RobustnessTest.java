package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import javax.annotation.processing.Processor;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * What Kiln does when things go wrong inside it or around it, and what it promises build tools:
 * one error for an internal failure, nothing generated for a model with errors, one originating
 * element per file, and the same output for the same source.
 */
class RobustnessTest {

  private static JavaFileObject small(String name) {
    return Sources.model(name,
        "@Model interface " + name + " {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor input);",
        "}");
  }

  @Test
  void anInternalFailureIsOneErrorOnTheInterfaceWithItsCause() {
    JavaFileObject source = small("Broken");
    WatchedFiler.Kiln kiln = new WatchedFiler.Kiln(name -> {
      throw new IllegalStateException("the filer broke on " + name);
    });
    Compilation compilation = javac().withProcessors(kiln).compile(source);
    Expect.that(compilation)
        .error(Tag.INTERNAL_ERROR, "internal error in Kiln while processing Broken",
            "java.lang.IllegalStateException: the filer broke on test.BrokenModel",
            "please report it with this trace", "at dev.kiln.processor.KilnProcessor")
        .on(source, "@Model interface Broken", "interface");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void aFileThatCannotBeWrittenIsAnError() {
    JavaFileObject source = small("Unwritable");
    WatchedFiler.Kiln kiln = new WatchedFiler.Kiln(
        name -> name.endsWith(".dot") ? new IOException("disk full") : null);
    Compilation compilation = javac().withProcessors(kiln).compile(source);
    Expect.that(compilation)
        .error(Tag.WRITE_FAILED, "Kiln could not write test.UnwritableModel",
            "java.io.IOException: disk full")
        .on(source, "@Model interface Unwritable", "@Model");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void everyFileNamesExactlyItsModelAsOriginatingElement() {
    WatchedFiler.Kiln kiln = new WatchedFiler.Kiln();
    Compilation compilation = javac().withProcessors(kiln).compile(small("First"), small("Second"));
    assertThat(compilation).succeededWithoutWarnings();
    List<WatchedFiler.Created> created = kiln.filer().created();
    assertEquals(
        List.of("test.FirstModel", "test/FirstModel.summary.txt", "test/FirstModel.dot",
            "test/FirstModel.cost.txt", "test.SecondModel", "test/SecondModel.summary.txt",
            "test/SecondModel.dot", "test/SecondModel.cost.txt"),
        created.stream().map(WatchedFiler.Created::name).toList());
    for (WatchedFiler.Created file : created) {
      assertEquals(1, file.originatingElements().size(), file.name());
      String model = ((TypeElement) file.originatingElements().get(0)).getQualifiedName().toString();
      assertTrue(file.name().replace('/', '.').startsWith(model + "Model"),
          file.name() + " comes from " + model);
    }
  }

  @Test
  void aModelWithErrorsGeneratesNothingAndOthersStillGenerate() {
    JavaFileObject broken = Sources.model("Broken",
        "@Model interface Broken {",
        "  @Input(shape = 4) Tensor input();",
        "  @Output(loss = MSE) @Dense(units = 0) Tensor output(Tensor input);",
        "}");
    WatchedFiler.Kiln kiln = new WatchedFiler.Kiln();
    Compilation compilation = javac().withProcessors(kiln).compile(broken, small("Sound"));
    Expect.that(compilation).only(1, 0);
    assertEquals(
        List.of("test.SoundModel", "test/SoundModel.summary.txt", "test/SoundModel.dot",
            "test/SoundModel.cost.txt"),
        kiln.filer().created().stream().map(WatchedFiler.Created::name).toList());
  }

  @Test
  void theSameSourceGivesTheSameFilesWhateverElseIsCompiled() throws IOException {
    JavaFileObject model = Sources.model("Stable",
        "@Model interface Stable {",
        "  @Input(shape = {8, 8, 1}) Tensor image();",
        "  @Input(shape = 3) Tensor extra();",
        "  @Conv2D(filters = 2, kernelSize = 3, activation = RELU) Tensor conv(Tensor image);",
        "  @Flatten Tensor flat(Tensor conv);",
        "  @Concatenate Tensor both(Tensor flat, Tensor extra);",
        "  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)",
        "  @Dense(units = 3, activation = SOFTMAX) Tensor output(Tensor both);",
        "  @Output(loss = MSE, weight = 0.5) @Dense(units = 1) Tensor score(Tensor both);",
        "}");
    Compilation alone = Sources.compile(model);
    Compilation withOthers = Sources.compile(small("Before"), model, small("After"));
    for (String file : List.of("test/StableModel.java", "test/StableModel.summary.txt",
        "test/StableModel.dot", "test/StableModel.cost.txt")) {
      assertEquals(contents(alone, file), contents(withOthers, file), file);
    }
  }

  @Test
  void declaredIsolatingForGradleAndRegisteredAsAService() throws IOException {
    try (InputStream in = KilnProcessor.class.getResourceAsStream(
        "/META-INF/gradle/incremental.annotation.processors")) {
      assertEquals("dev.kiln.processor.KilnProcessor,isolating",
          new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
    }
    List<String> processors = ServiceLoader.load(Processor.class, KilnProcessor.class.getClassLoader())
        .stream()
        .map(provider -> provider.type().getName())
        .collect(Collectors.toList());
    assertTrue(processors.contains(KilnProcessor.class.getName()), processors.toString());
  }

  private static String contents(Compilation compilation, String path) throws IOException {
    for (JavaFileObject file : compilation.generatedFiles()) {
      if (file.toUri().getPath().endsWith("/" + path)) {
        return file.getCharContent(true).toString();
      }
    }
    throw new AssertionError("no generated " + path);
  }
}
