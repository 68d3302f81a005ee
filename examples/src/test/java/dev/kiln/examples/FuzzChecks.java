package dev.kiln.examples;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.testing.FiniteDifferences;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checks of one compiled fuzz model ({@link DifferentialFuzzTest} lists them), on its data and
 * through reflective handles on its generated methods; a failed check throws a {@link
 * Disagreement}.
 */
final class FuzzChecks {

  /** The dropout masks of every evaluation of the loss. */
  private static final long NOISE = 77;

  private static final Pattern TOTAL = Pattern.compile("Total params: ([\\d,]+)");
  private static final Pattern TRAINABLE = Pattern.compile("(?m)^Trainable params: ([\\d,]+)");

  private interface Step {
    void run() throws Exception;
  }

  /** A check that found Kiln disagreeing with itself or with the generator. */
  static final class Disagreement extends AssertionError {
    final String check;

    Disagreement(String check, String message) {
      super(message);
      this.check = check;
    }
  }

  static void require(boolean condition, String check, String message) {
    if (!condition) {
      throw new Disagreement(check, message);
    }
  }

  private final RandomValidModels.Generated generated;
  private final Class<?> type;
  private final KilnModel model;
  private final SplittableRandom random;
  private final int batch;
  private final int steps;
  private final INDArray[] inputs;
  private final INDArray[] targets;
  private final Object[] inputsAndTargets;
  private final FuzzData data;
  private final FuzzTally tally;
  /** Where checkpoints are written and read back. */
  private final Path checkpoints;

  FuzzChecks(RandomValidModels.Generated generated, Class<?> type, FuzzTally tally,
      Path checkpoints) throws Exception {
    this.generated = generated;
    this.type = type;
    this.tally = tally;
    this.checkpoints = checkpoints;
    this.model = create(generated.seed());
    this.random = new SplittableRandom(generated.seed());
    this.batch = 2 + random.nextInt(2);
    this.steps = 2 + random.nextInt(4);
    this.data = new FuzzData(model, random, steps);
    this.inputs = data.inputs(batch);
    this.targets =
        model.spec().outputs().stream()
            .map(output -> data.target(output, batch))
            .toArray(INDArray[]::new);
    this.inputsAndTargets = new Object[inputs.length + targets.length];
    System.arraycopy(inputs, 0, inputsAndTargets, 0, inputs.length);
    System.arraycopy(targets, 0, inputsAndTargets, inputs.length, targets.length);
  }

  void run() throws Exception {
    timed("shapes", this::shapes);
    timed("parameters", this::parameterCounts);
    timed("gradients", () -> new FuzzGradients(model, random, tally, this::loss).check());
    timed("training", this::trainingStep);
    timed("checkpoint", this::saveAndLoad);
  }

  private void timed(String check, Step step) throws Exception {
    long start = System.nanoTime();
    step.run();
    tally.checkSeconds.merge(check, (System.nanoTime() - start) / 1e9, Double::sum);
  }

  private KilnModel create(long seed) throws Exception {
    return (KilnModel)
        type.getMethod("create", long.class, DataType.class).invoke(null, seed, DataType.DOUBLE);
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
      long[] expected = data.withBatch(layer.shape(), batch);
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
        tally.frozenTensors++;
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
    INDArray[] others = data.inputs(batch + 2);
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
    // At the training batch size a prediction's outputs and a training step's gradients share one
    // arena where it is large enough, each finding what the other left: the model predicts over
    // its gradients' memory, the fresh model trains over its prediction's.
    Object overGradients = call("predict", (Object[]) inputs);
    Object overZeros =
        type.getMethod("predict", parameterTypes(inputs.length)).invoke(fresh, (Object[]) inputs);
    for (RecordComponent component : overGradients.getClass().getRecordComponents()) {
      require(
          ModelChecks.sameBits(
              (INDArray) component.getAccessor().invoke(overGradients),
              (INDArray) component.getAccessor().invoke(overZeros)),
          "inference",
          "output " + component.getName() + " at the training batch size differs between a model"
              + " that trained and a fresh one: a buffer depends on what its arena held");
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
        "after one more step the loaded model's parameters differ from the saved model's"
            + " (or a step depends on what its arena held)");
  }

  private static Class<?>[] parameterTypes(int count) {
    Class<?>[] types = new Class<?>[count];
    Arrays.fill(types, INDArray.class);
    return types;
  }

  private static long count(Pattern pattern, String summary) {
    Matcher matcher = pattern.matcher(summary);
    return matcher.find() ? Long.parseLong(matcher.group(1).replace(",", "")) : -1;
  }
}
