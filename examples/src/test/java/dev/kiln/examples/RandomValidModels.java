package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.VARIABLE;
import static dev.kiln.examples.FuzzShapes.append;
import static dev.kiln.examples.FuzzShapes.fits;
import static dev.kiln.examples.FuzzShapes.ints;
import static dev.kiln.examples.FuzzShapes.prepend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Random valid models for {@link DifferentialFuzzTest}: small directed acyclic graphs over every
 * layer kind Kiln has (fan-out, merges, several inputs and outputs, shared weights, wrappers,
 * frozen layers), written out as {@code @Model} interfaces. Sizes stay small (a few units, images
 * around 6x6, sequences of 3 to 5 steps) so that float64 finite differences are quick.
 *
 * <p>The generator keeps its own account of every layer's output shape and parameter count, by
 * Keras' rules, so the test can hold Kiln's shape inference and parameter counts against an
 * independent computation as well as against the arrays the generated model really computes.
 *
 * <p>A model is a pure function of its seed. A few seeds in a hundred carry one deliberate
 * construct that Kiln rejects by design (such as a fused cross-entropy output read by another
 * layer); {@link Generated#rejectedWith} names the diagnostic tag expected for it.
 */
final class RandomValidModels {

  /**
   * One generated model.
   *
   * @param name the interface's simple name; the generated class is {@code name + "Model"}
   * @param source the compilation unit
   * @param shapes each layer's output shape per sample, by the generator's account; -1 varies
   * @param parameters each layer's own parameter count (a layer using another's weights owns 0)
   * @param kinds each layer's annotations, for coverage counts
   * @param features the graph's features (shared weights, fan-out, several outputs...), for
   *     coverage counts
   * @param rejectedWith the tag Kiln must reject the model with ({@code "Kiln/Unsupported"}), or
   *     null for a valid model
   */
  record Generated(
      long seed,
      String name,
      String source,
      Map<String, int[]> shapes,
      Map<String, Long> parameters,
      Map<String, String> kinds,
      Set<String> features,
      String rejectedWith) {}

  /** Share of seeds whose model writes some of its layers as a block it applies. */
  private static final double BLOCKS = 0.3;

  /** Share of seeds that carry a construct Kiln rejects by design. */
  private static final double REJECTED_BY_DESIGN = 0.03;

  static final List<String> ACTIVATIONS =
      List.of("LINEAR", "RELU", "SIGMOID", "TANH", "SOFTMAX", "GELU", "GELU_TANH", "SILU",
          "LEAKY_RELU", "ELU", "SELU", "SOFTPLUS", "SOFTSIGN", "HARD_SIGMOID", "EXPONENTIAL");
  static final List<String> KERNEL_INITIALIZERS =
      List.of(
          "GLOROT_UNIFORM",
          "GLOROT_NORMAL",
          "HE_UNIFORM",
          "HE_NORMAL",
          "LECUN_UNIFORM",
          "LECUN_NORMAL",
          "ORTHOGONAL",
          "RANDOM_UNIFORM");
  static final List<String> BIAS_INITIALIZERS = List.of("ZEROS", "ONES", "RANDOM_UNIFORM");

  /**
   * A layer annotation (with its wrapper) and Keras' rules for it: the output shape and the weight
   * shapes for given input shapes. Shared weights apply the same kind to other inputs.
   *
   * @param annotation the annotation text, {@code @TimeDistributed @Dense(units = 3)}
   * @param family the kind's name, for coverage counts
   * @param shape the output shape, or null where the kind does not apply to these inputs
   * @param weights the shapes of its weights, empty for a kind without
   * @param activation the activation applied to its output ({@code LINEAR} without)
   */
  record Kind(
      String annotation,
      String family,
      Function<List<int[]>, int[]> shape,
      Function<List<int[]>, List<long[]>> weights,
      String activation) {

    Kind(String annotation, String family, Function<List<int[]>, int[]> shape) {
      this(annotation, family, shape, inputs -> List.of(), "LINEAR");
    }

    boolean hasWeights(List<int[]> inputs) {
      return !weights.apply(inputs).isEmpty();
    }

    String weightKey(List<int[]> inputs) {
      return weights.apply(inputs).stream().map(Arrays::toString).collect(Collectors.joining());
    }
  }

  /** A layer method as the generator builds it. */
  static final class Layer {
    final String name;
    final Kind kind;
    final List<Layer> reads;
    final int[] shape;

    /** An {@code @Input(dtype = INT32)}: only an Embedding may read it. */
    final boolean tokens;

    /** The input declaration, for inputs. */
    final String inputDeclaration;

    Layer sharesWeightsOf;
    boolean frozen;
    String output;
    int readers;

    Layer(String name, Kind kind, List<Layer> reads, int[] shape, boolean tokens, String input) {
      this.name = name;
      this.kind = kind;
      this.reads = reads;
      this.shape = shape;
      this.tokens = tokens;
      this.inputDeclaration = input;
    }

    boolean isInput() {
      return inputDeclaration != null;
    }

    List<int[]> inputShapes() {
      return reads.stream().map(layer -> layer.shape).toList();
    }

    boolean ownsWeights() {
      return !isInput() && sharesWeightsOf == null && kind.hasWeights(inputShapes());
    }

    long parameters() {
      if (isInput() || sharesWeightsOf != null) {
        return 0;
      }
      return kind.weights().apply(inputShapes()).stream()
          .mapToLong(FuzzShapes::product)
          .sum();
    }
  }

  private final long seed;
  private final Random random;
  private final RandomConvKinds convKinds = new RandomConvKinds(this);
  final RandomImageKinds imageKinds = new RandomImageKinds(this);
  final RandomFeatureKinds featureKinds = new RandomFeatureKinds(this);
  final RandomSequenceKinds sequenceKinds = new RandomSequenceKinds(this);
  final RandomMerges merges = new RandomMerges(this);
  private final RandomSharing sharing = new RandomSharing(this);
  private final RandomOutputs outputs = new RandomOutputs(this);
  private final List<Layer> layers = new ArrayList<>();
  private final Map<String, Integer> counters = new LinkedHashMap<>();
  /** The tag Kiln must reject the model with, or null. */
  private String rejectedWith;
  /** Layers written as a block and applied in their place, or null. */
  private RandomBlock block;

  private RandomValidModels(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /** The model of {@code seed}, as interface {@code name} in package {@code pkg}. */
  static Generated generate(long seed, String pkg, String name) {
    return new RandomValidModels(seed).build(pkg, name);
  }

  private Generated build(String pkg, String name) {
    int inputs = pick(List.of(1, 1, 1, 2, 2, 3));
    for (int i = 0; i < inputs; i++) {
      addInput();
    }
    // Each input is read first, so that every one reaches an output.
    for (Layer input : List.copyOf(layers)) {
      if (input.tokens) {
        embed(input);
      } else if (input.shape.length == 2 && chance(0.25)) {
        mask(input);
      } else {
        unary(input);
      }
    }
    int steps = between(2, 9);
    for (int i = 0; i < steps; i++) {
      // Mostly single-input layers; then merges, shared weights, outputs in the middle.
      int action = random.nextInt(100);
      boolean done;
      if (action < 55) {
        done = unary(source());
      } else if (action < 78) {
        done = merges.merge();
      } else if (action < 92) {
        done = sharing.share();
      } else {
        done = outputs.intermediateOutput();
      }
      if (!done) {
        unary(source());
      }
    }
    outputs.closeSinks();
    sharing.freezeSome();
    if (random.nextDouble() < REJECTED_BY_DESIGN) {
      rejectedWith = new RandomRejections(this).rejectByDesign();
    }
    if (rejectedWith == null && chance(BLOCKS)) {
      block = RandomBlock.cut(this, layers, name);
    }
    RandomModelSource writer = new RandomModelSource(this, seed, block);
    String source = writer.render(pkg, name);
    return new Generated(
        seed,
        name,
        source,
        shapes(),
        parameterCounts(),
        kinds(),
        writer.features(source),
        rejectedWith);
  }

  // ---- inputs ----

  private void addInput() {
    int kind = random.nextInt(100);
    int[] shape;
    boolean tokens = false;
    if (kind < 14) {
      shape = new int[] {between(2, 8)};
    } else if (kind < 46) {
      shape = new int[] {between(4, 7), between(4, 7), between(1, 3)};
    } else if (kind < 66) {
      shape = new int[] {chance(0.25) ? VARIABLE : between(3, 5), between(1, 4)};
    } else if (kind < 79) {
      tokens = true;
      shape = new int[] {chance(0.25) ? VARIABLE : between(3, 5)};
    } else if (kind < 94) {
      shape = new int[] {between(2, 3), between(3, 5), between(3, 5), between(1, 2)};
    } else {
      tokens = true;
      shape = new int[] {between(2, 4), between(3, 4)};
    }
    addInput(shape, tokens);
  }

  Layer addInput(int[] shape, boolean tokens) {
    String declaration = "@Input(shape = " + ints(shape) + (tokens ? ", dtype = INT32" : "") + ")";
    Layer input =
        new Layer(name(tokens ? "tokens" : "input"), null, List.of(), shape, tokens, declaration);
    layers.add(input);
    return input;
  }

  // ---- the graph ----

  /**
   * The tensor the next layer reads: usually one nothing reads yet, otherwise any (fan-out). With
   * three or more unread tensors, always an unread one, to keep the number of outputs small.
   */
  Layer source() {
    List<Layer> sinks = floats().stream().filter(layer -> layer.readers == 0).toList();
    if (!sinks.isEmpty() && (sinks.size() >= 3 || chance(0.75))) {
      return pick(sinks);
    }
    return pick(floats());
  }

  /** The layers a float layer may read: all but token inputs. */
  List<Layer> floats() {
    return layers.stream().filter(layer -> !layer.tokens).toList();
  }

  /** A random single-input layer on {@code input}; false if none fits. */
  private boolean unary(Layer input) {
    for (int attempt = 0; attempt < 20; attempt++) {
      Kind kind = unaryKind(input.shape);
      if (kind != null && add(kind, List.of(input)) != null) {
        return true;
      }
    }
    return false;
  }

  /** Adds a layer of {@code kind} reading {@code inputs}; null if its output does not fit. */
  Layer add(Kind kind, List<Layer> inputs) {
    int[] shape = kind.shape().apply(inputs.stream().map(layer -> layer.shape).toList());
    if (!fits(shape)) {
      return null;
    }
    Layer layer = new Layer(name(kind.family().toLowerCase()), kind, inputs, shape, false, null);
    inputs.forEach(input -> input.readers++);
    layers.add(layer);
    return layer;
  }

  /** An embedding of a token input: on its own, or applied to each step of a grid of tokens. */
  private void embed(Layer tokens) {
    int inputDim = between(3, 8);
    int outputDim = between(1, 4);
    String attributes =
        "inputDim = "
            + inputDim
            + ", outputDim = "
            + outputDim
            + (chance(0.3) ? ", embeddingsInitializer = " + pick(KERNEL_INITIALIZERS) : "");
    Kind embedding =
        new Kind(
            "@Embedding(" + attributes + ")",
            "Embedding",
            in -> append(in.get(0), outputDim),
            in -> List.of(new long[] {inputDim, outputDim}),
            "LINEAR");
    if (tokens.shape.length == 1 && chance(0.4)) {
      // Token 0 is padding: the mask flows to the layers after it (the fuzz's ids include 0).
      embedding = new Kind("@Embedding(" + attributes + ", maskZero = true)", "Embedding",
          embedding.shape(), embedding.weights(), "LINEAR");
      add(embedding, List.of(tokens));
      return;
    }
    Kind kind = tokens.shape.length == 2 && chance(0.5) ? timeDistributed(embedding) : embedding;
    add(kind, List.of(tokens));
  }

  /**
   * Keras' Masking of a sequence input, whose padded steps (all features 0) the fuzz's data has:
   * it reads the input itself, where a step is exactly 0 or clearly not, so that no finite
   * difference moves a step across the mask's edge.
   */
  private void mask(Layer input) {
    add(new Kind("@Masking", "Masking", in -> in.get(0)), List.of(input));
  }

  // ---- single-input kinds, drawn from the kind classes ----

  /** A random kind that applies to inputs of {@code shape}, or null. */
  private Kind unaryKind(int[] shape) {
    List<Supplier<Kind>> options = new ArrayList<>();
    int rank = shape.length;
    boolean fixed = Arrays.stream(shape).noneMatch(size -> size == VARIABLE);
    if (shape[rank - 1] > 0) {
      options.add(featureKinds::dense);
      options.add(featureKinds::dense);
      options.add(featureKinds::batchNormalization);
      options.add(featureKinds::dropout);
      options.add(featureKinds::activationLayer);
      options.add(featureKinds::leakyRelu);
      options.add(() -> featureKinds.layerNormalization(shape));
      options.add(() -> featureKinds.softmax(shape));
    }
    if (rank == 3 && fixed) {
      // Images have many kinds of their own: weighted so that they outnumber the generic ones.
      for (int i = 0; i < 3; i++) {
        options.add(imageKinds::convolution);
        options.add(imageKinds::pooling);
      }
      for (int i = 0; i < 2; i++) {
        options.add(convKinds::depthwise);
        options.add(convKinds::separable);
        options.add(imageKinds::transposedConvolution);
        options.add(imageKinds::border);
        options.add(imageKinds::globalPooling);
        options.add(imageKinds::upSampling);
      }
    }
    if (rank == 2 && shape[1] > 0) {
      for (int i = 0; i < 3; i++) {
        options.add(sequenceKinds::recurrent);
      }
      options.add(sequenceKinds::bidirectional);
      for (int i = 0; i < 2; i++) {
        options.add(convKinds::conv1d);
        options.add(convKinds::pooling1d);
      }
      options.add(convKinds::globalPooling1d);
      options.add(convKinds::upSampling1d);
      options.add(sequenceKinds::selfAttention);
      options.add(sequenceKinds::selfAttention);
      options.add(() -> sequenceKinds.positionEmbedding(shape));
    }
    if (fixed && rank >= 2) {
      options.add(featureKinds::flatten);
    }
    if (fixed) {
      options.add(() -> featureKinds.reshape(shape));
    }
    if (rank >= 2) {
      int[] step = Arrays.copyOfRange(shape, 1, rank);
      // Clips (steps of images) are mostly for @TimeDistributed image layers.
      for (int i = 0; i < (rank == 4 ? 6 : 1); i++) {
        options.add(
            () -> {
              Kind inner = unaryKind(step);
              return inner == null || !wrappable(inner) ? null : timeDistributed(inner);
            });
      }
    }
    return options.isEmpty() ? null : pick(options).get();
  }

  private static boolean wrappable(Kind kind) {
    return !kind.annotation().startsWith("@TimeDistributed")
        && !kind.annotation().startsWith("@Bidirectional")
        && !kind.annotation().startsWith("@MultiHeadAttention");
  }

  /** {@code inner} applied to each step: the first axis is kept, the rest is one step. */
  static Kind timeDistributed(Kind inner) {
    Function<List<int[]>, List<int[]>> steps =
        in -> in.stream().map(shape -> Arrays.copyOfRange(shape, 1, shape.length)).toList();
    return new Kind(
        "@TimeDistributed " + inner.annotation(),
        "TimeDistributed",
        in -> {
          if (in.get(0).length < 2) {
            return null;
          }
          int[] step = inner.shape().apply(steps.apply(in));
          return step == null ? null : prepend(in.get(0)[0], step);
        },
        in -> in.get(0).length < 2 ? List.of() : inner.weights().apply(steps.apply(in)),
        inner.activation());
  }

  /** The name the model gives {@code layer}: its path where a block holds it. */
  private String modelName(Layer layer) {
    return block == null ? layer.name : block.modelName(layer);
  }

  private Map<String, int[]> shapes() {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    layers.forEach(layer -> shapes.put(modelName(layer), layer.shape));
    return shapes;
  }

  private Map<String, Long> parameterCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    layers.forEach(layer -> counts.put(modelName(layer), layer.parameters()));
    return counts;
  }

  private Map<String, String> kinds() {
    Map<String, String> kinds = new LinkedHashMap<>();
    for (Layer layer : layers) {
      kinds.put(modelName(layer), layer.isInput() ? layer.inputDeclaration : layer.kind.annotation());
    }
    return kinds;
  }

  // ---- text and randomness ----

  String activation(int units) {
    // A softmax over one unit is the constant 1, which would cut the gradient to everything before.
    String activation = pick(ACTIVATIONS);
    return activation.equals("SOFTMAX") && units == 1 ? "TANH" : activation;
  }

  String initializers(boolean bias) {
    String text = chance(0.25) ? ", kernelInitializer = " + pick(KERNEL_INITIALIZERS) : "";
    return bias && chance(0.3) ? text + ", biasInitializer = " + pick(BIAS_INITIALIZERS) : text;
  }

  String name(String prefix) {
    int count = counters.merge(prefix, 1, Integer::sum);
    return prefix + count;
  }

  /** One value when both are equal, Keras' shorthand, else the pair. */
  String pair(int[] values) {
    return values[0] == values[1] && chance(0.7) ? Integer.toString(values[0]) : ints(values);
  }

  int between(int low, int high) {
    return low + random.nextInt(high - low + 1);
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** The stream itself, for {@code Collections.shuffle}. */
  Random random() {
    return random;
  }

  /** The layers so far, inputs first, each after the layers it reads. */
  List<Layer> layers() {
    return layers;
  }

  <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }
}
