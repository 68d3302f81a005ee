package dev.kiln.processor;

import com.google.testing.compile.JavaFileObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * {@link FuzzTest}'s mutated models under the Eclipse compiler, which hands a processor what it
 * has resolved in its own way, every other one half typed as in an IDE (one attribute written
 * so far left out, required or not): Kiln must never fail ({@code [Kiln/InternalError]}), and
 * the class it generates for a model it accepts must compile. {@code
 * -Dkiln.fuzz.ecj.models=N} runs N models (default 250), {@code -Dkiln.fuzz.seed=S} another
 * sequence.
 */
class EcjFuzzTest {

  private static final int MODELS = Integer.getInteger("kiln.fuzz.ecj.models", 250);
  private static final long SEED = Long.getLong("kiln.fuzz.seed", 20251126L);
  private static final int BATCH = 250;
  /** A generated model class: its diagnostics are Kiln's fault. */
  private static final Pattern GENERATED = Pattern.compile("(?:^|/)fuzz/(M\\d+)Model\\.java$");
  /** An attribute written in an annotation: {@code units = 8}, {@code shape = {4, 4}}. */
  private static final Pattern ATTRIBUTE = Pattern.compile("\\b\\w+ = (\\{[^}]*\\}|[^,)\\n]+)");

  @Test
  void mutatedModelsNeverCrashKilnAndAcceptedOnesCompile() {
    RandomModels models = new RandomModels(SEED);
    Random typing = new Random(SEED);
    Map<String, Integer> tags = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    long start = System.nanoTime();
    int generated = 0;
    for (int first = 0; first < MODELS; first += BATCH) {
      List<JavaFileObject> batch = new ArrayList<>();
      for (int i = first; i < Math.min(first + BATCH, MODELS); i++) {
        String name = "M" + i;
        String source = models.next("fuzz", name);
        batch.add(JavaFileObjects.forSourceString(
            "fuzz." + name, i % 2 == 0 ? source : halfTyped(source, typing)));
      }
      EcjCompiler.Result result = EcjCompiler.compile(batch);
      generated += result.generatedSources().size();
      for (Diagnostic<? extends JavaFileObject> diagnostic : result.diagnostics()) {
        String message = diagnostic.getMessage(null);
        if (message.startsWith("[Kiln/")) {
          tags.merge(message.substring(0, message.indexOf(']') + 1), 1, Integer::sum);
        }
        if (message.contains("[Kiln/InternalError]")) {
          failures.add("Kiln crashed: " + message);
        } else if (diagnostic.getKind() == Diagnostic.Kind.ERROR && inGeneratedClass(diagnostic)) {
          failures.add("a generated class does not compile: " + diagnostic.getSource().getName()
              + " line " + diagnostic.getLineNumber() + ": " + message);
        }
      }
    }
    System.out.printf("Fuzz under ecj: %d models (seed %d) in %.1f s: %d classes generated;"
            + " Kiln's diagnostics by tag %s; %d failures%n",
        MODELS, SEED, (System.nanoTime() - start) / 1e9, generated, tags, failures.size());
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " failures; the first:\n"
          + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
    }
  }

  /** {@code source} with one of its attributes, picked at random, not yet written. */
  static String halfTyped(String source, Random random) {
    List<int[]> attributes = new ArrayList<>();
    Matcher attribute = ATTRIBUTE.matcher(source);
    while (attribute.find()) {
      attributes.add(new int[] {attribute.start(), attribute.end()});
    }
    if (attributes.isEmpty()) {
      return source;
    }
    int[] cut = attributes.get(random.nextInt(attributes.size()));
    return (source.substring(0, cut[0]) + source.substring(cut[1]))
        .replace("(, ", "(").replace(", )", ")").replace(", ,", ",");
  }

  private static boolean inGeneratedClass(Diagnostic<? extends JavaFileObject> diagnostic) {
    if (diagnostic.getSource() == null) {
      return false;
    }
    Matcher file = GENERATED.matcher(diagnostic.getSource().toUri().getPath());
    return file.find();
  }
}
