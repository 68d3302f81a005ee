package dev.kiln.examples;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.DType;
import dev.kiln.runtime.InputSpec;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.OutputSpec;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.testing.FiniteDifferences;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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

  /** Entries checked per parameter tensor with a non-zero gradient. */
  private static final int SAMPLES = 3;

  /**
   * Entries checked per tensor whose gradient is zero everywhere: the training-step check trusts
   * such a tensor not to affect the loss, so that is checked more widely.
   */
  private static final int ZERO_SAMPLES = 5;

  /** The dropout masks of every evaluation of the loss. */
  private static final long NOISE = 77;

  private static final Pattern TOTAL = Pattern.compile("Total params: ([\\d,]+)");
  private static final Pattern TRAINABLE = Pattern.compile("(?m)^Trainable params: ([\\d,]+)");

  @TempDir Path checkpoints;

  private final List<String> disagreements = new ArrayList<>();
  private final Map<String, Integer> coverage = new TreeMap<>();

  /** How many models have each feature of {@link RandomValidModels.Generated#features}. */
  private final Map<String, Integer> features = new TreeMap<>();

  private int models;
  private int rejectedByDesign;
  private int entries;
  private int kinks;
  private int wideSteps;
  private int roundingLimited;
  private int frozenTensors;
  private int zeroGradientTensors;
  private double compileSeconds;
  private final Map<String, Double> checkSeconds = new LinkedHashMap<>();

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
            + "Layers of each kind: %s%nModels with each feature: %s%n",
        models,
        disagreements.size(),
        rejectedByDesign,
        describe(seeds),
        entries,
        kinks,
        wideSteps,
        roundingLimited,
        frozenTensors,
        zeroGradientTensors,
        (System.nanoTime() - start) / 1e9,
        compileSeconds,
        checkSeconds,
        coverage,
        features);
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
        new Checks(model, loader.loadClass("fuzz." + name + "Model")).run();
      } catch (Disagreement e) {
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
        new Checks(model, type).run();
      } catch (InvocationTargetException e) {
        disagree(model, "run", stackTrace(e.getCause()));
      } catch (Throwable e) {
        disagree(
            model,
            e instanceof Disagreement d ? d.check : "run",
            e instanceof Disagreement ? e.getMessage() : stackTrace(e));
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

  // ---- the checks of one model ----

  private interface Step {
    void run() throws Exception;
  }

  /** A check that found Kiln disagreeing with itself or with the generator. */
  private static final class Disagreement extends AssertionError {
    final String check;

    Disagreement(String check, String message) {
      super(message);
      this.check = check;
    }
  }

  private static void require(boolean condition, String check, String message) {
    if (!condition) {
      throw new Disagreement(check, message);
    }
  }

  /** One model, its data and the reflective handles on its generated methods. */
  private final class Checks {
    private final RandomValidModels.Generated generated;
    private final Class<?> type;
    private final KilnModel model;
    private final SplittableRandom random;
    private final int batch;
    private final int steps;
    private final INDArray[] inputs;
    private final INDArray[] targets;
    private final Object[] inputsAndTargets;

    Checks(RandomValidModels.Generated generated, Class<?> type) throws Exception {
      this.generated = generated;
      this.type = type;
      this.model = create(generated.seed());
      this.random = new SplittableRandom(generated.seed());
      this.batch = 2 + random.nextInt(2);
      this.steps = 2 + random.nextInt(4);
      this.inputs = inputs(batch);
      this.targets = model.spec().outputs().stream().map(this::target).toArray(INDArray[]::new);
      this.inputsAndTargets = new Object[inputs.length + targets.length];
      System.arraycopy(inputs, 0, inputsAndTargets, 0, inputs.length);
      System.arraycopy(targets, 0, inputsAndTargets, inputs.length, targets.length);
    }

    void run() throws Exception {
      timed("shapes", this::shapes);
      timed("parameters", this::parameterCounts);
      timed("gradients", this::gradients);
      timed("training", this::trainingStep);
      timed("checkpoint", this::saveAndLoad);
    }

    private void timed(String check, Step step) throws Exception {
      long start = System.nanoTime();
      step.run();
      checkSeconds.merge(check, (System.nanoTime() - start) / 1e9, Double::sum);
    }

    private KilnModel create(long seed) throws Exception {
      return (KilnModel)
          type.getMethod("create", long.class, DataType.class).invoke(null, seed, DataType.DOUBLE);
    }

    /** The shape of one sample with the batch axis in front and the varying length set. */
    private long[] withBatch(long[] shape, int samples) {
      long[] full = new long[shape.length + 1];
      full[0] = samples;
      for (int i = 0; i < shape.length; i++) {
        full[i + 1] = shape[i] < 0 ? steps : shape[i];
      }
      return full;
    }

    private INDArray[] inputs(int samples) {
      return model.spec().inputs().stream()
          .map(input -> input(input, samples))
          .toArray(INDArray[]::new);
    }

    private INDArray input(InputSpec input, int samples) {
      long[] shape = withBatch(input.shape(), samples);
      int length = (int) product(shape);
      if (input.dtype() == DType.INT32) {
        require(
            input.tokenLimit() > 0, "spec", "token input " + input.name() + " has no token limit");
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
          ids[i] = random.nextInt((int) input.tokenLimit());
        }
        return Nd4j.createFromArray(ids).reshape(shape);
      }
      return uniform(length, -1, 1).reshape(shape);
    }

    /** A target the output's loss accepts: one-hot rows, class indices, values in [0, 1]. */
    private INDArray target(OutputSpec output) {
      long[] shape = withBatch(output.shape(), batch);
      int length = (int) product(shape);
      int classes = (int) shape[shape.length - 1];
      return switch (output.loss()) {
        case CATEGORICAL_CROSSENTROPY -> {
          double[] oneHot = new double[length];
          for (int row = 0; row < length / classes; row++) {
            oneHot[row * classes + random.nextInt(classes)] = 1;
          }
          yield Nd4j.createFromArray(oneHot).reshape(shape);
        }
        case SPARSE_CATEGORICAL_CROSSENTROPY -> {
          int[] labels = new int[length / classes];
          Arrays.setAll(labels, i -> random.nextInt(classes));
          INDArray indices =
              Nd4j.createFromArray(labels).reshape(Arrays.copyOf(shape, shape.length - 1));
          // Whole floats are class indices too.
          yield random.nextBoolean() ? indices : indices.castTo(DataType.DOUBLE);
        }
        case BINARY_CROSSENTROPY ->
            random.nextBoolean()
                ? uniform(length, 0, 1).reshape(shape)
                : uniform(length, 0, 1).gt(0.5).castTo(DataType.DOUBLE).reshape(shape);
          // Huber's errors straddle its delta of 1.
        case HUBER -> uniform(length, -2, 2).reshape(shape);
        case MSE, MAE, COSINE_SIMILARITY -> uniform(length, -1, 1).reshape(shape);
        case LOG_COSH -> uniform(length, -2, 2).reshape(shape);
        case KL_DIVERGENCE -> uniform(length, 0, 1).reshape(shape);
        case POISSON -> Transforms.floor(uniform(length, 0, 4), false).reshape(shape);
      };
    }

    private INDArray uniform(int length, double low, double high) {
      double[] values = new double[length];
      Arrays.setAll(values, i -> random.nextDouble(low, high));
      return Nd4j.createFromArray(values);
    }

    private Object call(String name, Object... arguments) throws ReflectiveOperationException {
      Class<?>[] types = new Class<?>[arguments.length];
      Arrays.fill(types, INDArray.class);
      return type.getMethod(name, types).invoke(model, arguments);
    }

    private double loss() {
      model.seedNoise(NOISE);
      try {
        return (Double) call("computeGradients", inputsAndTargets);
      } catch (InvocationTargetException e) {
        throw e.getCause() instanceof RuntimeException cause
            ? cause
            : new IllegalStateException(e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }

    // ---- shapes ----

    private void shapes() throws Exception {
      Object activations = call("activations", (Object[]) inputs);
      Set<String> layers = new LinkedHashSet<>();
      for (LayerSpec layer : model.spec().layers()) {
        layers.add(layer.name());
        // By name, which reaches layers inside a block's application too (stage3/conv2).
        INDArray activation = (INDArray) activations.getClass().getMethod("get", String.class)
            .invoke(activations, layer.name());
        long[] expected = withBatch(layer.shape(), batch);
        require(
            Arrays.equals(activation.shape(), expected),
            "shapes",
            layer.name()
                + " computes "
                + Arrays.toString(activation.shape())
                + " but the spec says "
                + Arrays.toString(expected));
        if (generated.shapes().isEmpty()) {
          continue; // A model written by hand (kiln.difffuzz.file): no generator's account.
        }
        int[] keras = generated.shapes().get(layer.name());
        long[] kerasShape = keras == null ? null : Arrays.stream(keras).asLongStream().toArray();
        require(
            Arrays.equals(kerasShape, layer.shape()),
            "shapes",
            layer.name()
                + " has shape "
                + Arrays.toString(layer.shape())
                + " in the spec but "
                + Arrays.toString(keras)
                + " by Keras' rules");
      }
      require(
          generated.shapes().isEmpty() || layers.equals(generated.shapes().keySet()),
          "shapes",
          "the spec lists layers "
              + layers
              + " but the model declares "
              + generated.shapes().keySet());
    }

    // ---- parameter counts ----

    private void parameterCounts() throws Exception {
      long flat = model.parameters().length();
      String summary = model.summary();
      require(
          model.spec().parameterCount() == flat,
          "parameters",
          "spec().parameterCount() is "
              + model.spec().parameterCount()
              + " but the model holds "
              + flat);
      require(
          count(TOTAL, summary) == flat,
          "parameters",
          "the summary says "
              + count(TOTAL, summary)
              + " parameters but the model holds "
              + flat
              + "\n"
              + summary);
      long trainable = 0;
      Map<String, Long> byParameters = new LinkedHashMap<>();
      for (ParameterSpec parameter : model.spec().parameters()) {
        boolean trains = parameter.trainable() && !model.isFrozen(parameter.layer());
        trainable += trains ? parameter.length() : 0;
        byParameters.merge(parameter.layer(), parameter.length(), Long::sum);
      }
      require(
          count(TRAINABLE, summary) == trainable && model.trainableCount() == trainable,
          "parameters",
          "the summary says "
              + count(TRAINABLE, summary)
              + " trainable parameters,"
              + " trainableCount() "
              + model.trainableCount()
              + ", the spec "
              + trainable);
      long byLayers = 0;
      for (LayerSpec layer : model.spec().layers()) {
        long keras = generated.parameters().getOrDefault(layer.name(), layer.parameters());
        require(
            layer.parameters() == keras,
            "parameters",
            layer.name()
                + " has "
                + layer.parameters()
                + " parameters in the spec but "
                + keras
                + " by Keras' rules");
        long listed = byParameters.getOrDefault(layer.name(), 0L);
        require(
            layer.parameters() == listed,
            "parameters",
            layer.name()
                + " has "
                + layer.parameters()
                + " parameters in spec().layers() but "
                + listed
                + " in spec().parameters()");
        byLayers += layer.parameters();
      }
      require(
          byLayers == flat,
          "parameters",
          "the layers' counts add up to " + byLayers + " but the model holds " + flat);
      views(flat);
    }

    /** The views {@code layers()} returns tile the flat parameter buffer exactly. */
    private void views(long flat) throws Exception {
      Object layers = type.getMethod("layers").invoke(model);
      List<INDArray> views = new ArrayList<>();
      for (Method accessor : layers.getClass().getDeclaredMethods()) {
        if (Modifier.isPublic(accessor.getModifiers()) && accessor.getParameterCount() == 0) {
          collectArrays(accessor.invoke(layers), views);
        }
      }
      INDArray parameters = model.parameters();
      List<long[]> found = new ArrayList<>();
      for (INDArray view : views) {
        long start = view.offset() - parameters.offset();
        // A view, not a copy: writing through it writes the flat buffer where it says it starts.
        double value = view.getDouble(0);
        view.putScalar(0, value + 1);
        boolean shared = start >= 0 && start < flat && parameters.getDouble(start) == value + 1;
        view.putScalar(0, value);
        require(
            shared,
            "parameters",
            "a parameter array of layers() is not a view of the flat"
                + " buffer at offset "
                + start);
        found.add(new long[] {start, view.length()});
      }
      long[][] intervals =
          found.stream().sorted((a, b) -> Long.compare(a[0], b[0])).toArray(long[][]::new);
      long next = 0;
      for (long[] interval : intervals) {
        require(
            interval[0] == next,
            "parameters",
            "the views of layers() leave a gap or overlap at "
                + next
                + ": "
                + Arrays.deepToString(intervals));
        next += interval[1];
      }
      require(next == flat, "parameters", "the views of layers() cover " + next + " of " + flat);
    }

    private void collectArrays(Object value, List<INDArray> arrays) throws Exception {
      if (value instanceof INDArray array) {
        arrays.add(array);
      } else if (value instanceof Record record) {
        for (RecordComponent component : record.getClass().getRecordComponents()) {
          collectArrays(component.getAccessor().invoke(record), arrays);
        }
      }
    }

    // ---- gradients ----

    /**
     * Every trainable, unfrozen parameter tensor against central differences of the loss, with the
     * same dropout masks for every evaluation. Batch normalization runs in training mode here, on
     * the batch's statistics; its moving averages move with every evaluation but do not enter the
     * training-mode loss (a frozen layer's, which do, stay as they are).
     */
    private void gradients() {
      moveOffZero();
      double resolution = resolution(loss());
      INDArray analytic = model.gradients().dup();
      Map<String, String> errors = new LinkedHashMap<>();
      long offset = 0;
      for (ParameterSpec parameter : model.spec().parameters()) {
        long start = offset;
        offset += parameter.length();
        if (!parameter.trainable() || model.isFrozen(parameter.layer())) {
          continue;
        }
        INDArray values = NdArrays.view(model.parameters(), start, parameter.length());
        INDArray gradient = NdArrays.view(analytic, start, parameter.length());
        boolean zero = gradient.amaxNumber().doubleValue() == 0;
        zeroGradientTensors += zero ? 1 : 0;
        for (long index : sample(parameter.length(), zero ? ZERO_SAMPLES : SAMPLES)) {
          entries++;
          double expected = gradient.getDouble(index);
          double numeric = FiniteDifferences.derivative(this::loss, values, index);
          double error = FiniteDifferences.relativeError(expected, numeric);
          if (error < ModelChecks.MAX_RELATIVE_ERROR) {
            continue;
          }
          double wide =
              FiniteDifferences.derivative(this::loss, values, index, FiniteDifferences.WIDE_STEP);
          if (FiniteDifferences.relativeError(expected, wide) < ModelChecks.MAX_RELATIVE_ERROR) {
            wideSteps++;
            continue;
          }
          if (Math.abs(expected - wide) <= resolution) {
            roundingLimited++;
            continue;
          }
          if (atKink(values, index, expected, numeric)) {
            kinks++;
            continue;
          }
          errors.put(
              parameter.layer() + "." + parameter.name() + "[" + index + "]",
              "backward "
                  + expected
                  + ", finite differences "
                  + numeric
                  + ", relative error "
                  + error);
        }
      }
      require(
          errors.isEmpty(), "gradients", "gradients disagree with finite differences: " + errors);
    }

    /**
     * Gives every trainable parameter entry that is exactly 0 (biases as initialized) a small
     * random value. With a zero bias, a unit whose inputs are all zero (behind a dead ReLU, a zero
     * padding, a recurrent layer fed zeros) sits exactly on its ReLU's kink, and often several
     * units switch there at once, in both directions: the loss has no derivative at that point,
     * the backward pass returns the ReLU'(0) = 0 convention, and finite differences the mean of
     * two one-sided slopes, so the check could decide nothing. Off zero it checks the same code.
     */
    private void moveOffZero() {
      long offset = 0;
      for (ParameterSpec parameter : model.spec().parameters()) {
        long start = offset;
        offset += parameter.length();
        if (!parameter.trainable()) {
          continue;
        }
        INDArray values = NdArrays.view(model.parameters(), start, parameter.length());
        for (long i = 0; i < values.length(); i++) {
          if (values.getDouble(i) == 0) {
            values.putScalar(i, random.nextDouble(-0.1, 0.1));
          }
        }
      }
    }

    /**
     * The smallest difference of derivatives the wide step can resolve for a loss of this size:
     * each evaluation of a float64 loss is rounded by some units in its last place (16 allowed
     * for the sums it is made of), and the central difference divides two such roundings by twice
     * the step. For a loss near 1 this is 2e-11; a model whose outputs grow to a loss of 1e8
     * (exponentials feeding a squared penalty) cannot be checked below about 1e-3.
     */
    private static double resolution(double loss) {
      return 2 * 16 * Math.ulp(loss) / (2 * FiniteDifferences.WIDE_STEP);
    }

    /**
     * Whether the loss has a kink (a ReLU or a maximum switching, an absolute value crossing 0)
     * within one step of the entry, where a central difference measures nothing. With a kink
     * between the two evaluations, the slopes to the left and to the right differ by twice the
     * central difference's error (exactly, for one kink); for a smooth loss they differ by the step
     * times the curvature, far below any gradient error worth reporting. So a disagreement that the
     * one-sided slopes explain is a kink, not a bug.
     */
    private boolean atKink(INDArray values, long index, double analytic, double central) {
      double original = values.getDouble(index);
      double here = loss();
      values.putScalar(index, original + FiniteDifferences.STEP);
      double right = (loss() - here) / FiniteDifferences.STEP;
      values.putScalar(index, original - FiniteDifferences.STEP);
      double left = (here - loss()) / FiniteDifferences.STEP;
      values.putScalar(index, original);
      return Math.abs(right - left) >= Math.abs(central - analytic);
    }

    private List<Long> sample(long length, int samples) {
      if (length <= samples) {
        return LongStream.range(0, length).boxed().toList();
      }
      Set<Long> indices = new LinkedHashSet<>();
      while (indices.size() < samples) {
        indices.add(random.nextLong(length));
      }
      return List.copyOf(indices);
    }

    // ---- one training step ----

    /**
     * One step from fresh optimizer state. Which tensors the loss depends on is read from the
     * gradient at the starting point, which {@link #gradients} has just checked against finite
     * differences: a tensor whose gradient somewhere exceeds what finite differences can resolve
     * ({@link FiniteDifferences#NOISE}, far above what any update rule needs to move a float64
     * value) must move; an entry whose gradient is exactly zero (a dead ReLU for this batch, a
     * dropped unit, a loss weight of 0) must not, as every update rule leaves such an entry alone
     * on a first step; and a frozen layer must not move at all. Gradients between 0 and that floor
     * (a sigmoid saturated far downstream) may move their entries or not.
     */
    private void trainingStep() throws Exception {
      loss();
      INDArray gradient = model.gradients().dup();
      INDArray before = model.parameters().dup();
      double rate = model.updater().currentLearningRate();
      model.seedNoise(NOISE);
      call("trainStep", inputsAndTargets);
      INDArray after = model.parameters();
      long offset = 0;
      for (ParameterSpec parameter : model.spec().parameters()) {
        long start = offset;
        offset += parameter.length();
        String name = parameter.layer() + "." + parameter.name();
        INDArray was = NdArrays.view(before, start, parameter.length());
        INDArray is = NdArrays.view(after, start, parameter.length());
        if (model.isFrozen(parameter.layer())) {
          frozenTensors++;
          require(ModelChecks.sameBits(was, is), "training", name + " is frozen but moved");
          continue;
        }
        if (!parameter.trainable()) {
          continue;
        }
        INDArray g = NdArrays.view(gradient, start, parameter.length());
        // Weight decay shrinks an entry of zero gradient by exactly 1 - lr * decay; a constraint
        // may rescale or clamp any entry.
        double keep = decays(parameter) ? 1 - rate * model.updater().weightDecay() : 1;
        boolean constrained = parameter.constraint() != dev.kiln.Constraint.NONE;
        boolean anyMoved = false;
        for (long i = 0; i < parameter.length(); i++) {
          boolean moved =
              Double.doubleToRawLongBits(keep * was.getDouble(i))
                  != Double.doubleToRawLongBits(is.getDouble(i));
          anyMoved |= Double.doubleToRawLongBits(was.getDouble(i))
              != Double.doubleToRawLongBits(is.getDouble(i));
          require(
              g.getDouble(i) != 0 || !moved || constrained,
              "training",
              name
                  + "["
                  + i
                  + "] has a zero"
                  + " gradient but moved from "
                  + was.getDouble(i)
                  + " to "
                  + is.getDouble(i));
        }
        require(
            anyMoved || g.amaxNumber().doubleValue() <= FiniteDifferences.NOISE,
            "training",
            name + " has a non-zero gradient (largest " + g.amaxNumber() + ") but did not move");
      }
    }

    /** Whether the updater's weight decay shrinks {@code parameter}, as Updater decides. */
    private boolean decays(ParameterSpec parameter) {
      return model.updater().weightDecay() != 0
          && (parameter.shape().length > 1 || model.updater().decaysBiasesAndNorms());
    }

    // ---- checkpoints ----

    private void saveAndLoad() throws Exception {
      Path file = checkpoints.resolve(generated.name() + ".kiln");
      model.save(file);
      KilnModel fresh = create(generated.seed() + 1);
      fresh.load(file);
      Files.delete(file);
      require(
          ModelChecks.sameBits(model.parameters(), fresh.parameters()),
          "checkpoint",
          "the loaded parameters differ from the saved ones");
      // Another batch size than training's, so predictions plan their buffers anew.
      INDArray[] others = inputs(batch + 2);
      Object expected = call("predict", (Object[]) others);
      Object loaded =
          type.getMethod("predict", parameterTypes(others.length)).invoke(fresh, (Object[]) others);
      // Predictions share memory between layer outputs; activations(...) gives each its own.
      Object unshared = call("activations", (Object[]) others);
      RecordComponent[] outputs = expected.getClass().getRecordComponents();
      for (int i = 0; i < outputs.length; i++) {
        INDArray predicted = (INDArray) outputs[i].getAccessor().invoke(expected);
        String layer = model.spec().outputs().get(i).name();
        INDArray own = (INDArray) unshared.getClass().getMethod("get", String.class).invoke(unshared, layer);
        require(
            ModelChecks.sameBits(predicted, own),
            "inference",
            "output " + layer + " of predict differs from the one activations(...) gives");
      }
      for (RecordComponent component : expected.getClass().getRecordComponents()) {
        INDArray a = (INDArray) component.getAccessor().invoke(expected);
        INDArray b = (INDArray) component.getAccessor().invoke(loaded);
        require(
            ModelChecks.sameBits(a, b),
            "checkpoint",
            "output "
                + component.getName()
                + " of the loaded model differs from the saved model's");
      }
      // The optimizer's state came along: the next step is the same.
      model.seedNoise(NOISE);
      call("trainStep", inputsAndTargets);
      fresh.seedNoise(NOISE);
      type.getMethod("trainStep", parameterTypes(inputsAndTargets.length))
          .invoke(fresh, inputsAndTargets);
      require(
          ModelChecks.sameBits(model.parameters(), fresh.parameters()),
          "checkpoint",
          "after one more step the loaded model's parameters differ from the saved model's");
    }
  }

  // ---- helpers ----

  private static Class<?>[] parameterTypes(int count) {
    Class<?>[] types = new Class<?>[count];
    Arrays.fill(types, INDArray.class);
    return types;
  }

  private static long count(Pattern pattern, String summary) {
    Matcher matcher = pattern.matcher(summary);
    return matcher.find() ? Long.parseLong(matcher.group(1).replace(",", "")) : -1;
  }

  private static long product(long[] shape) {
    long product = 1;
    for (long size : shape) {
      product *= size;
    }
    return product;
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
