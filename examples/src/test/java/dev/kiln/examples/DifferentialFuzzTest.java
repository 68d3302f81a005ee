package dev.kiln.examples;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential fuzzing of the whole of Kiln: random valid models ({@link RandomValidModels}) are
 * compiled with the processor in this JVM, loaded and run, and each must agree with itself and with
 * the generator's independent account of it:
 *
 * <ul>
 *   <li>shapes: every activation the generated {@code activations(...)} returns has the shape the
 *       spec (compile time) gives, and the spec's shapes are the generator's (Keras' rules);
 *   <li>parameter counts: the spec, the summary's totals, the flat buffer, the layers' parameter
 *       views (which must tile the buffer) and the generator's Keras counts all agree;
 *   <li>gradients: every trainable, unfrozen parameter tensor against float64 central finite
 *       differences of the model's own loss, sampled entries for big ones;
 *   <li>training: one step moves every trainable tensor the loss depends on, moves no entry whose
 *       gradient is zero, and moves nothing of a frozen layer;
 *   <li>inference: {@code predict}, whose layer outputs share memory, gives bit for bit the outputs
 *       {@code activations(...)} gives from buffers of their own;
 *   <li>save and load: a fresh model loading the checkpoint predicts bit for bit the same, and its
 *       next training step gives bit for bit the same parameters (optimizer state included).
 * </ul>
 *
 * <p>CI runs seeds 1 to 250: {@code -Dkiln.difffuzz.models=N} runs seeds 1 to N, {@code
 * -Dkiln.difffuzz.first=S} starts elsewhere, {@code -Dkiln.difffuzz.seeds=5,17} runs just those.
 * A failure names the seed, the check and the model's source; {@code
 * -Dkiln.difffuzz.dump=DIR} writes the sources and generated classes, {@code
 * -Dkiln.difffuzz.file=DIR/Name.java} checks one model written by hand (for minimising one), and
 * {@code -Dkiln.difffuzz.progress=FILE} logs each seed as it starts (to find the model that crashed
 * the JVM).
 */
class DifferentialFuzzTest {

  private static final int MODELS = Integer.getInteger("kiln.difffuzz.models", 250);
  private static final long FIRST = Long.getLong("kiln.difffuzz.first", 1);
  private static final String SEEDS = System.getProperty("kiln.difffuzz.seeds", "");

  /** A directory to write every model's source and generated class to, for reading a failure. */
  private static final String DUMP = System.getProperty("kiln.difffuzz.dump", "");

  /** A file to append each seed to as it starts, to find the model of a crash of the JVM. */
  private static final String PROGRESS = System.getProperty("kiln.difffuzz.progress", "");

  /** Models per javac run: javac's start-up and its reading of ND4J's classes are paid once. */
  private static final int BATCH = Integer.getInteger("kiln.difffuzz.batch", 40);

  @TempDir Path checkpoints;

  private final List<String> disagreements = new ArrayList<>();
  private final Map<String, Integer> coverage = new TreeMap<>();

  /** How many models have each feature of {@link RandomValidModels.Generated#features}. */
  private final Map<String, Integer> features = new TreeMap<>();

  /**
   * How many generated classes take each path of the step that no model source shows: shared
   * buffers of layers passing their input on, shares of a gradient added in a Dense product or
   * through a share buffer.
   */
  private final Map<String, Integer> generatedPaths = new TreeMap<>();

  private static final Map<String, String> PATH_MARKERS = Map.of(
      "output in its input's array", "(nothing to compute: its buffer is",
      "gradient in its input gradient's array", "(nothing to compute: its gradient's array is",
      "dropout's input array in a prediction", "'s array in a prediction, whose values",
      "share added in a Dense product", "Dense.addInputGradient(",
      "share added from a share buffer", "Part);");

  private int models;
  private int rejectedByDesign;
  private final FuzzTally tally = new FuzzTally();
  private double compileSeconds;

  @Test
  void randomModelsAgreeWithThemselvesAndWithKeras() {
    long start = System.nanoTime();
    List<Long> seeds = seeds();
    for (int first = 0; first < seeds.size(); first += BATCH) {
      runBatch(seeds.subList(first, Math.min(first + BATCH, seeds.size())));
    }
    System.out.printf(
        "Differential fuzz: %d random models, %d disagreements (%d compile-rejected by design);"
            + " seeds %s; %d finite-difference entries, %d at a kink of the loss, %d agreeing at"
            + " the wide step only, %d within the loss's rounding; %d frozen and"
            + " %d zero-gradient tensors; %.1f s, %.1f s of it compiling, checks %s%n"
            + "Layers of each kind: %s%nModels with each feature: %s%n"
            + "Generated classes with each path: %s%n",
        models,
        disagreements.size(),
        rejectedByDesign,
        describe(seeds),
        tally.entries,
        tally.kinks,
        tally.wideSteps,
        tally.roundingLimited,
        tally.frozenTensors,
        tally.zeroGradientTensors,
        (System.nanoTime() - start) / 1e9,
        compileSeconds,
        tally.checkSeconds,
        coverage,
        features,
        generatedPaths);
    if (!disagreements.isEmpty()) {
      throw new AssertionError(
          disagreements.size() + " disagreements:\n\n" + String.join("\n\n", disagreements));
    }
  }

  /**
   * Checks a model written by hand, {@code -Dkiln.difffuzz.file=path/Name.java} (interface {@code
   * Name} in package {@code fuzz}), for minimising a disagreement; seed 1 picks its data.
   */
  @Test
  void modelFromAFile() throws Exception {
    String file = System.getProperty("kiln.difffuzz.file", "");
    Assumptions.assumeFalse(file.isEmpty(), "no kiln.difffuzz.file given");
    Path path = Path.of(file);
    String name = path.getFileName().toString().replace(".java", "");
    RandomValidModels.Generated model =
        new RandomValidModels.Generated(
            1, name, Files.readString(path), Map.of(), Map.of(), Map.of(), Set.of(), null);
    Compilation compilation = compile(List.of(model));
    problemsByModel(compilation)
        .forEach((source, said) -> disagree(model, "compile", String.join("\n", said)));
    if (compilation.status() == Compilation.Status.SUCCESS) {
      dump(compilation);
      ClassLoader loader = InMemoryCompiler.load(compilation);
      try {
        new FuzzChecks(model, loader.loadClass("fuzz." + name + "Model"), tally, checkpoints)
            .run();
      } catch (FuzzChecks.Disagreement e) {
        disagree(model, e.check, e.getMessage());
      }
    }
    if (!disagreements.isEmpty()) {
      throw new AssertionError(String.join("\n\n", disagreements));
    }
  }

  private static List<Long> seeds() {
    if (!SEEDS.isBlank()) {
      return Arrays.stream(SEEDS.split(",")).map(String::trim).map(Long::parseLong).toList();
    }
    return LongStream.range(FIRST, FIRST + MODELS).boxed().toList();
  }

  private static String describe(List<Long> seeds) {
    return SEEDS.isBlank() ? FIRST + ".." + (FIRST + MODELS - 1) : seeds.toString();
  }

  // ---- compiling ----

  private void runBatch(List<Long> seeds) {
    Map<String, RandomValidModels.Generated> generated = new LinkedHashMap<>();
    for (long seed : seeds) {
      String name = "Fuzz" + seed;
      RandomValidModels.Generated model = RandomValidModels.generate(seed, "fuzz", name);
      generated.put(name, model);
      models++;
      if (!DUMP.isEmpty()) {
        write(Path.of(DUMP, name + ".java"), model.source());
      }
    }
    List<RandomValidModels.Generated> valid = new ArrayList<>();
    for (RandomValidModels.Generated model : generated.values()) {
      model.kinds().values().forEach(kind -> coverage.merge(family(kind), 1, Integer::sum));
      model.features().forEach(feature -> features.merge(feature, 1, Integer::sum));
      if (model.rejectedWith() == null) {
        valid.add(model);
      }
    }
    // Models Kiln must reject are compiled on their own, so one rejection cannot stop the others.
    for (RandomValidModels.Generated model : generated.values()) {
      if (model.rejectedWith() != null) {
        checkRejected(model);
      }
    }
    Compilation compilation = compile(valid);
    Map<String, List<String>> problems = problemsByModel(compilation);
    if (compilation.status() != Compilation.Status.SUCCESS && problems.isEmpty()) {
      throw new AssertionError("javac failed without naming a model: " + compilation.diagnostics());
    }
    if (compilation.status() != Compilation.Status.SUCCESS) {
      // javac writes no class once any file has an error: compile the accepted ones again.
      problems.forEach(
          (name, said) ->
              disagree(
                  generated.get(name),
                  "compile",
                  "Kiln or javac rejected a valid model:\n" + String.join("\n", said)));
      Set<String> rejected = Set.copyOf(problems.keySet());
      valid.removeIf(model -> rejected.contains(model.name()));
      compilation = compile(valid);
      Map<String, List<String>> again = problemsByModel(compilation);
      if (compilation.status() != Compilation.Status.SUCCESS) {
        again.forEach(
            (name, said) ->
                disagree(
                    generated.get(name),
                    "compile",
                    "javac rejected a valid model once others were left out:\n"
                        + String.join("\n", said)));
        return;
      }
      problems = again;
    }
    problems.forEach(
        (name, said) ->
            disagree(
                generated.get(name),
                "compile",
                "warnings from outside Kiln:\n" + String.join("\n", said)));
    dump(compilation);
    countPaths(compilation);
    ClassLoader loader = InMemoryCompiler.load(compilation);
    for (RandomValidModels.Generated model : valid) {
      if (!PROGRESS.isEmpty()) {
        write(
            Path.of(PROGRESS),
            model.seed() + "\n",
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
      try {
        Class<?> type = loader.loadClass("fuzz." + model.name() + "Model");
        new FuzzChecks(model, type, tally, checkpoints).run();
      } catch (InvocationTargetException e) {
        disagree(model, "run", stackTrace(e.getCause()));
      } catch (Throwable e) {
        disagree(
            model,
            e instanceof FuzzChecks.Disagreement d ? d.check : "run",
            e instanceof FuzzChecks.Disagreement ? e.getMessage() : stackTrace(e));
      }
    }
  }

  private void countPaths(Compilation compilation) {
    for (JavaFileObject file : compilation.generatedSourceFiles()) {
      if (!file.getName().endsWith("Model.java")) {
        continue;
      }
      try {
        String source = file.getCharContent(true).toString();
        PATH_MARKERS.forEach((path, marker) -> {
          if (source.contains(marker)) {
            generatedPaths.merge(path, 1, Integer::sum);
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void dump(Compilation compilation) {
    if (DUMP.isEmpty()) {
      return;
    }
    for (JavaFileObject file : compilation.generatedSourceFiles()) {
      try {
        String name = Path.of(file.toUri().getPath()).getFileName().toString();
        write(Path.of(DUMP, name), file.getCharContent(true).toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void write(Path path, String text, OpenOption... options) {
    try {
      Files.createDirectories(path.getParent());
      Files.writeString(path, text, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void checkRejected(RandomValidModels.Generated model) {
    Compilation compilation = compile(List.of(model));
    String expected = "[" + model.rejectedWith() + "]";
    boolean rejected =
        compilation.errors().stream()
            .anyMatch(error -> error.getMessage(null).startsWith(expected));
    if (rejected) {
      rejectedByDesign++;
    } else {
      disagree(
          model,
          "compile",
          "Kiln should reject this model with "
              + expected
              + " but said: "
              + compilation.diagnostics().stream().map(d -> d.getMessage(null)).toList());
    }
  }

  private Compilation compile(List<RandomValidModels.Generated> models) {
    long start = System.nanoTime();
    List<JavaFileObject> sources =
        models.stream()
            .map(model -> JavaFileObjects.forSourceString("fuzz." + model.name(), model.source()))
            .toList();
    Compilation compilation = InMemoryCompiler.run(sources);
    compileSeconds += (System.nanoTime() - start) / 1e9;
    return compilation;
  }

  /**
   * Errors, and warnings other than Kiln's own (tagged {@code [Kiln/...]}), by the model whose
   * interface or generated class they are in.
   */
  private static Map<String, List<String>> problemsByModel(Compilation compilation) {
    Map<String, List<String>> problems = new LinkedHashMap<>();
    for (Diagnostic<? extends JavaFileObject> diagnostic : compilation.diagnostics()) {
      boolean kilnWarning =
          diagnostic.getKind() != Diagnostic.Kind.ERROR
              && diagnostic.getMessage(null).startsWith("[Kiln/");
      if (kilnWarning
          || diagnostic.getKind() == Diagnostic.Kind.NOTE
          || diagnostic.getSource() == null) {
        continue;
      }
      String file = diagnostic.getSource().getName();
      String name =
          file.substring(file.lastIndexOf('/') + 1).replace(".java", "").replaceFirst("Model$", "");
      problems
          .computeIfAbsent(name, key -> new ArrayList<>())
          .add(
              diagnostic.getKind()
                  + " line "
                  + diagnostic.getLineNumber()
                  + ": "
                  + diagnostic.getMessage(null));
    }
    return problems;
  }

  /**
   * The kind of an annotation text: {@code @TimeDistributed @Dense(units = 3)} is
   * TimeDistributed(Dense).
   */
  private static String family(String annotations) {
    List<String> names =
        Arrays.stream(annotations.split(" (?=@)"))
            .map(text -> text.replaceAll("\\(.*", "").replace("@", ""))
            .toList();
    String name = names.size() == 1 ? names.get(0) : names.get(0) + "(" + names.get(1) + ")";
    return name.startsWith("Input")
        ? annotations.contains("INT32") ? "Input(INT32)" : "Input"
        : name;
  }

  private void disagree(RandomValidModels.Generated model, String check, String message) {
    disagreements.add(
        "seed "
            + model.seed()
            + ", "
            + check
            + ": "
            + message
            + "\n--- "
            + model.name()
            + ".java ---\n"
            + model.source());
  }

  private static String stackTrace(Throwable e) {
    StringWriter text = new StringWriter();
    e.printStackTrace(new PrintWriter(text));
    return text.toString().lines().limit(25).collect(Collectors.joining("\n"));
  }
}
