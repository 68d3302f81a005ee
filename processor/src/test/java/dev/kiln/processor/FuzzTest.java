package dev.kiln.processor;

import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Feeds Kiln a few thousand randomly mutated model interfaces ({@link RandomModels}): every one
 * must either compile, generated code included, or fail with Kiln's diagnostics only, and none
 * may make the processor fail. {@code -Dkiln.fuzz.models=N} runs N models (default 3000),
 * {@code -Dkiln.fuzz.seed=S} another sequence.
 */
class FuzzTest {

  private static final int MODELS = Integer.getInteger("kiln.fuzz.models", 3000);
  private static final long SEED = Long.getLong("kiln.fuzz.seed", 20251126L);
  /** Models per javac run: javac's start-up and its reading of ND4J are paid once per batch. */
  private static final int BATCH = 500;
  /** The model a file belongs to: its interface or its generated class. */
  private static final Pattern MODEL = Pattern.compile("(?:^|/)fuzz/(M\\d+)(Model)?\\.java$");
  /** The recurrent kernels, written on another branch; see {@link Sources#runtimeHasKernel}. */
  private static final boolean RECURRENT_KERNELS = List.of("Lstm", "Gru", "SimpleRnn", "Embedding")
      .stream().allMatch(Sources::runtimeHasKernel);

  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Map<String, Integer> tags = new TreeMap<>();
  private final List<String> failures = new ArrayList<>();
  private double kilnSeconds;
  private int compiled;
  private int waiting;

  @Test
  void everyMutatedModelCompilesOrFailsWithKilnDiagnosticsOnly() {
    RandomModels models = new RandomModels(SEED);
    long start = System.nanoTime();
    for (int first = 0; first < MODELS; first += BATCH) {
      Map<String, JavaFileObject> batch = new LinkedHashMap<>();
      for (int i = first; i < Math.min(first + BATCH, MODELS); i++) {
        String name = "M" + i;
        sources.put(name, models.next("fuzz", name));
        batch.put(name, JavaFileObjects.forSourceString("fuzz." + name, sources.get(name)));
      }
      List<JavaFileObject> accepted = check(batch);
      // Once any model of a batch has errors javac compiles no generated class: the models Kiln
      // accepted are compiled again on their own, generated classes included.
      byModel(compile(accepted)).forEach((model, said) -> said.stream()
          .filter(diagnostic -> diagnostic.getKind() == Diagnostic.Kind.ERROR
              || !isKiln(diagnostic))
          .forEach(diagnostic -> failures.add(model + " was accepted, then drew " + diagnostic)));
      compiled += accepted.size();
    }
    System.out.printf("Fuzz: %d models (seed %d) in %.1f s, %.1f s of it in Kiln: %d compiled,"
            + " %d accepted but waiting for the recurrent kernels, %d rejected; Kiln's diagnostics"
            + " by tag %s%n",
        MODELS, SEED, (System.nanoTime() - start) / 1e9, kilnSeconds, compiled, waiting,
        MODELS - compiled - waiting, tags);
    if (!failures.isEmpty()) {
      throw new AssertionError(describeFailures());
    }
  }

  /** Runs Kiln on the batch; returns the models it accepted whose generated code can compile. */
  private List<JavaFileObject> check(Map<String, JavaFileObject> batch) {
    Map<String, List<Diagnostic<? extends JavaFileObject>>> diagnostics =
        byModel(compile(batch.values()));
    List<JavaFileObject> accepted = new ArrayList<>();
    for (Map.Entry<String, JavaFileObject> model : batch.entrySet()) {
      String name = model.getKey();
      boolean waits = !RECURRENT_KERNELS && RandomModels.usesRecurrentLayers(sources.get(name));
      boolean rejected = false;
      for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getOrDefault(name, List.of())) {
        String message = diagnostic.getMessage(null);
        if (isKiln(diagnostic)) {
          tags.merge(message.substring(0, message.indexOf(']') + 1), 1, Integer::sum);
          rejected |= diagnostic.getKind() == Diagnostic.Kind.ERROR;
          if (message.startsWith("[Kiln/InternalError]")) {
            failures.add(name + " crashed Kiln: " + diagnostic);
          }
        } else if (!(waits && inGeneratedClass(diagnostic))) {
          failures.add(name + " drew " + diagnostic);
        }
      }
      if (!rejected && waits) {
        waiting++;
      } else if (!rejected) {
        accepted.add(model.getValue());
      }
    }
    return accepted;
  }

  private Compilation compile(Iterable<JavaFileObject> sources) {
    WatchedFiler.Kiln kiln = new WatchedFiler.Kiln();
    Compilation compilation = javac().withProcessors(kiln)
        .withOptions("-Xmaxerrs", "100000", "-Xmaxwarns", "100000")
        .compile(sources);
    kilnSeconds += kiln.seconds();
    return compilation;
  }

  /** Errors and warnings by the model whose interface or generated class they are in. */
  private Map<String, List<Diagnostic<? extends JavaFileObject>>> byModel(Compilation compilation) {
    Map<String, List<Diagnostic<? extends JavaFileObject>>> byModel = new LinkedHashMap<>();
    for (Diagnostic<? extends JavaFileObject> diagnostic : compilation.diagnostics()) {
      if (diagnostic.getKind() == Diagnostic.Kind.NOTE) {
        continue;
      }
      Matcher file = diagnostic.getSource() == null
          ? null : MODEL.matcher(diagnostic.getSource().toUri().getPath());
      if (file != null && file.find()) {
        byModel.computeIfAbsent(file.group(1), model -> new ArrayList<>()).add(diagnostic);
      } else {
        failures.add("a diagnostic outside every model: " + diagnostic);
      }
    }
    return byModel;
  }

  private static boolean isKiln(Diagnostic<? extends JavaFileObject> diagnostic) {
    return diagnostic.getMessage(null).startsWith("[Kiln/");
  }

  private static boolean inGeneratedClass(Diagnostic<? extends JavaFileObject> diagnostic) {
    Matcher file = MODEL.matcher(diagnostic.getSource().toUri().getPath());
    return file.find() && file.group(2) != null;
  }

  private String describeFailures() {
    StringBuilder report = new StringBuilder(failures.size() + " failures; the first:\n");
    for (String failure : failures.subList(0, Math.min(5, failures.size()))) {
      report.append(failure).append('\n');
      Matcher model = Pattern.compile("^(M\\d+) ").matcher(failure);
      if (model.find()) {
        report.append(sources.get(model.group(1))).append('\n');
      }
    }
    return report.toString();
  }
}
