package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Large models: a deep residual network of 300 layers and a model of 1,000 parallel branches
 * compile in a time nobody waits for, and Kiln's own share of it is printed (not asserted: the
 * machine decides). The generated code of a large model is cut into methods and string constants
 * that fit the class file. Inputs and outputs are bounded, by the JVM's limit on method parameters.
 * (A chain of 2,000 layers is compiled, created and trained by the examples' {@code
 * LargeModelTest}.)
 */
class ScaleTest {

  /**
   * A residual network of exactly {@code count} layers: an input and a stem, blocks of Dense,
   * BatchNormalization and an Add of the block's input, dropout to make up the count, and a
   * softmax output.
   */
  static JavaFileObject residual(String name, int count) {
    List<String> lines = new ArrayList<>();
    lines.add("@Model interface " + name + " {");
    lines.add("  @Input(shape = 32) Tensor input();");
    lines.add("  @Dense(units = 16, activation = RELU) Tensor stem(Tensor input);");
    String previous = "stem";
    int layers = 3;
    for (int block = 1; layers + 3 <= count; block++, layers += 3) {
      lines.add("  @Dense(units = 16, activation = RELU) Tensor dense" + block + "(Tensor "
          + previous + ");");
      lines.add("  @BatchNormalization Tensor norm" + block + "(Tensor dense" + block + ");");
      lines.add("  @Add Tensor sum" + block + "(Tensor " + previous + ", Tensor norm" + block + ");");
      previous = "sum" + block;
    }
    for (int drop = 1; layers < count; drop++, layers++) {
      lines.add("  @Dropout(rate = 0.1) Tensor drop" + drop + "(Tensor " + previous + ");");
      previous = "drop" + drop;
    }
    lines.add("  @Output(loss = CATEGORICAL_CROSSENTROPY, metrics = ACCURACY)");
    lines.add("  @Dense(units = 4, activation = SOFTMAX) Tensor output(Tensor " + previous + ");");
    lines.add("}");
    return Sources.model(name, lines.toArray(String[]::new));
  }

  @Test
  void threeHundredLayersCompileQuickly() {
    WatchedFiler.Kiln kiln = new WatchedFiler.Kiln();
    long start = System.nanoTime();
    Compilation compilation = javac().withProcessors(kiln).compile(residual("Deep", 300));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.DeepModel");
    System.out.printf("Scale: 300 layers compiled in %.2f s, generated class included; %.2f s of"
        + " it in Kiln%n", seconds, kiln.seconds());
  }

  /**
   * One input, {@code count} small Dense branches of it, joined by Concatenates of at most 250
   * (a Java method takes at most 255 parameters) and a last Concatenate, and a Dense output. The
   * first branch is named like the parts of the Layers class's constructor, which must then
   * take other names.
   */
  static JavaFileObject branches(String name, int count) {
    List<String> lines = new ArrayList<>();
    lines.add("@Model interface " + name + " {");
    lines.add("  @Input(shape = 8) Tensor input();");
    List<String> branches = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String branch = i == 1 ? "viewsPart1" : "branch" + i;
      lines.add("  @Dense(units = 2, activation = RELU) Tensor " + branch + "(Tensor input);");
      branches.add("Tensor " + branch);
    }
    List<String> groups = new ArrayList<>();
    for (int start = 0; start < count; start += 250) {
      String group = "group" + (groups.size() + 1);
      lines.add("  @Concatenate Tensor " + group + "("
          + String.join(", ", branches.subList(start, Math.min(count, start + 250))) + ");");
      groups.add("Tensor " + group);
    }
    lines.add("  @Concatenate Tensor joined(" + String.join(", ", groups) + ");");
    lines.add("  @Output(loss = MSE) @Dense(units = 3) Tensor output(Tensor joined);");
    lines.add("}");
    return Sources.model(name, lines.toArray(String[]::new));
  }

  @Test
  void aThousandParallelBranchesCompileInParts() throws IOException {
    WatchedFiler.Kiln kiln = new WatchedFiler.Kiln();
    long start = System.nanoTime();
    Compilation compilation = javac().withProcessors(kiln).compile(branches("Wide", 1000));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(compilation).succeededWithoutWarnings();
    String generated = compilation.generatedSourceFile("test.WideModel").orElseThrow()
        .getCharContent(true).toString();
    // Past 65,535 bytes, the summary is literals joined at class initialization.
    assertTrue(generated.contains("private static final String SUMMARY_TABLE = String.join(\"\","));
    // The passes call their parts in order; each part says which layers it holds.
    assertTrue(generated.contains("    forwardPart1(b, input, training);\n    forwardPart2(b, input, training);\n"));
    assertTrue(generated.contains("The forward pass of viewsPart1 to branch"));
    assertTrue(generated.contains("    backwardPart1(b, input);\n"));
    assertTrue(generated.contains("private static List<ParameterSpec> parameterSpecs() {"));
    assertTrue(generated.contains("    views_Part1();\n"));
    System.out.printf("Scale: 1,000 parallel branches (1,007 layers) compiled in %.2f s, generated"
        + " class included; %.2f s of it in Kiln%n", seconds, kiln.seconds());
  }

  @Test
  void aModelWithTooManyInputsIsStoppedBeforeItsGeneratedCodeFails() {
    List<String> lines = new ArrayList<>();
    lines.add("@Model interface Wide {");
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < 253; i++) {
      lines.add("  @Input(shape = 1) Tensor in" + i + "();");
      inputs.add("Tensor in" + i);
    }
    lines.add("  @Output(loss = MSE) @Concatenate Tensor all(" + String.join(", ", inputs) + ");");
    lines.add("}");
    JavaFileObject source = Sources.model("Wide", lines.toArray(String[]::new));
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation)
        .error(Tag.TOO_LARGE, "Wide has 253 inputs and 1 outputs", "use at most 252 inputs")
        .on(source, "@Model interface Wide", "@Model");
    Expect.that(compilation).only(1, 0);
  }
}
