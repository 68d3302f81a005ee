package dev.kiln.processor;

import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.kiln.processor.check.Tag;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Sizes at the edges: a model too large for the runtime to index is a compile error stating its
 * size, a dilated window too wide to pad is refused like one too wide to fit, and thousands of
 * misspellings or a cycle through thousands of layers are reported quickly and readably.
 */
class LimitsTest {

  @Test
  void modelOfMoreParametersThanOneBufferCanIndexIsAnError() {
    JavaFileObject source = Sources.model("Huge",
        "@Model interface Huge {",
        "  @Input(shape = 40000) Tensor input();",
        "  @Dense(units = 40000) Tensor a(Tensor input);",
        "  @Dense(units = 40000) Tensor b(Tensor a);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor b);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.TOO_LARGE, "Huge has 3,200,120,001 parameters",
        "12,800 MB in float32", "at most 2,147,483,647");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void sameWindowDilatedPastWhatAnAxisCanHoldIsAnError() {
    JavaFileObject source = Sources.model("Dilated",
        "@Model interface Dilated {",
        "  @Input(shape = {8, 8, 1}) Tensor image();",
        "  @Conv2D(filters = 1, kernelSize = 3, dilationRate = 1073741824, padding = Padding.SAME)",
        "  Tensor conv(Tensor image);",
        "  @Flatten Tensor flat(Tensor conv);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.TOO_LARGE, "conv's window spans 2147483649 rows",
        "dilationRate 1073741824", "use a smaller dilationRate")
        .on(source, "dilationRate = 1073741824", "1073741824");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void validWindowDilatedPastAnIntDoesNotFit() {
    JavaFileObject source = Sources.model("Dilated",
        "@Model interface Dilated {",
        "  @Input(shape = {8, 8, 1}) Tensor image();",
        "  @Conv2D(filters = 1, kernelSize = 3, dilationRate = 1073741824) Tensor conv(Tensor image);",
        "  @Flatten Tensor flat(Tensor conv);",
        "  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor flat);",
        "}");
    Compilation compilation = Sources.compile(source);
    Expect.that(compilation).error(Tag.SHAPE_MISMATCH,
        "conv's 2147483649x2147483649 window does not fit in its input");
    Expect.that(compilation).only(1, 0);
  }

  @Test
  void cycleThroughThousandsOfLayersIsOneShortLine() {
    List<String> lines = new ArrayList<>();
    lines.add("@Model interface Ring {");
    lines.add("  @Input(shape = 4) Tensor input();");
    lines.add("  @Dense(units = 4) Tensor l0(Tensor l2999);");
    for (int i = 1; i < 3_000; i++) {
      lines.add("  @Dense(units = 4) Tensor l" + i + "(Tensor l" + (i - 1) + ");");
    }
    lines.add("  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor l2999);");
    lines.add("}");
    JavaFileObject source = Sources.model("Ring", lines.toArray(String[]::new));
    Compilation compilation = Sources.compile(source);
    String message = Expect.that(compilation).error(Tag.CYCLE,
        "layers form a cycle: l0 -> l1 -> l2 -> l3 -> l4 -> l5 -> ... (2,989 more layers) ->"
            + " l2995 -> l2996 -> l2997 -> l2998 -> l2999 -> l0;").diagnostic().getMessage(null);
    assertTrue(message.length() < 400, message.length() + " characters: " + message);
  }

  @Test
  void misspeltReferencesCostKilnTimeLinearInTheirNumber() {
    // Kiln's CPU time (its thread's, so that other load counts little) for ten times the typos,
    // as a ratio within one run: linear is about 10, a search over all names per typo about 100
    // (23.8 s of wall time for 10,000 on the machine of issue 19, before it was bounded).
    Sources.compile(misspeltChain("Warm", 1_000));
    WatchedFiler.Kiln small = new WatchedFiler.Kiln();
    javac().withProcessors(small).compile(misspeltChain("Small", 1_000));
    WatchedFiler.Kiln large = new WatchedFiler.Kiln();
    Compilation compilation = javac().withProcessors(large).compile(misspeltChain("Typos", 10_000));
    System.out.printf("misspelt references, CPU in Kiln: 1,000 in %.3f s, 10,000 in %.3f s%n",
        small.cpuSeconds(), large.cpuSeconds());
    Expect.that(compilation).error(Tag.UNKNOWN_LAYER,
        "Typos reads from 10,000 names that are no layer's; the first 99 follow");
    Expect.that(compilation).error(Tag.UNKNOWN_LAYER, "layer1 reads from layr0",
        "did you mean layer0?");
    Expect.that(compilation).error(Tag.UNKNOWN_LAYER, "layer99 reads from layr98",
        "did you mean layer98?");
    assertTrue(compilation.errors().size() == 100, compilation.errors().size() + " errors");
    assertTrue(large.cpuSeconds() < 30 * small.cpuSeconds(),
        large.cpuSeconds() + " s against " + small.cpuSeconds() + " s");
  }

  /** A chain of Dense layers, each reading the one before under a misspelt name. */
  private static JavaFileObject misspeltChain(String name, int layers) {
    List<String> lines = new ArrayList<>();
    lines.add("@Model interface " + name + " {");
    lines.add("  @Input(shape = 4) Tensor input();");
    lines.add("  @Dense(units = 4) Tensor layer0(Tensor input);");
    for (int i = 1; i <= layers; i++) {
      lines.add("  @Dense(units = 4) Tensor layer" + i + "(Tensor layr" + (i - 1) + ");");
    }
    lines.add("  @Output(loss = MSE) @Dense(units = 1) Tensor output(Tensor layer" + layers + ");");
    lines.add("}");
    return Sources.model(name, lines.toArray(String[]::new));
  }
}
