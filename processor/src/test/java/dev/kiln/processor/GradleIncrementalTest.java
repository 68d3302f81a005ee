package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Gradle runs Kiln incrementally because the processor's jar declares it isolating; the
 * declaration must name the processor, and the processor must keep the contract that makes it
 * true: every file it writes comes from exactly one top-level type, the model interface.
 */
class GradleIncrementalTest {

  @Test
  void theJarDeclaresTheProcessorIsolating() throws IOException {
    assertEquals(
        List.of(KilnProcessor.class.getName() + ",isolating"),
        lines("META-INF/gradle/incremental.annotation.processors"));
    assertTrue(
        lines("META-INF/services/javax.annotation.processing.Processor")
            .contains(KilnProcessor.class.getName()),
        "the processor is registered as a service");
  }

  @Test
  void everyFileWrittenComesFromItsModelInterfaceAlone() {
    JavaFileObject first =
        Sources.model(
            "First",
            "@Model interface First {",
            "  @Input(shape = 4) Tensor input();",
            "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor input);",
            "}");
    JavaFileObject second =
        Sources.model(
            "Second",
            "@Model interface Second {",
            "  @interface Width { int units(); }",
            "  @Block(parameters = Width.class)",
            "  interface Pair {",
            "    @Input(shape = -1) Tensor x();",
            "    @Dense(units = 0) @Bind(units = \"units\") Tensor a(Tensor x);",
            "  }",
            "  @Input(shape = 4) Tensor input();",
            "  @Apply(Pair.class) @Width(units = 3) Tensor pair(Tensor input);",
            "  @Output(loss = MSE) @Dense(units = 2) Tensor output(Tensor pair);",
            "}");
    WatchedFiler.Kiln kiln = new WatchedFiler.Kiln();
    Compilation compilation = javac().withProcessors(kiln).compile(first, second);
    assertThat(compilation).succeeded();
    List<WatchedFiler.Created> created = kiln.filer().created();
    // A class, its summary, its graph and its summary with costs for each model.
    assertEquals(8, created.size(), created.toString());
    for (WatchedFiler.Created file : created) {
      assertEquals(1, file.originatingElements().size(), file.toString());
      Element origin = file.originatingElements().get(0);
      assertTrue(
          origin.getKind() == ElementKind.INTERFACE
              && ((TypeElement) origin).getNestingKind() == NestingKind.TOP_LEVEL,
          file + " comes from " + origin);
      String model = ((TypeElement) origin).getSimpleName().toString();
      assertTrue(file.name().contains(model), file + " is named after " + model);
    }
  }

  private static List<String> lines(String resource) throws IOException {
    try (InputStream in = KilnProcessor.class.getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, resource + " is not in the processor's jar");
      List<String> lines =
          new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
              .map(String::strip)
              .filter(line -> !line.isEmpty() && !line.startsWith("#"))
              .toList();
      assertFalse(lines.isEmpty(), resource + " is empty");
      return lines;
    }
  }
}
