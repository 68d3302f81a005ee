package dev.kiln.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
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

  /** Upper bound of values per sample of any tensor, to keep finite differences fast. */
  private static final int MAX_VALUES = 320;

  private static final int MAX_SIDE = 12;
  static final int VARIABLE = -1;

  private static final List<String> ACTIVATIONS =
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
          .mapToLong(RandomValidModels::product)
          .sum();
    }
  }

  private final long seed;
  private final Random random;
  private final RandomConvKinds convKinds = new RandomConvKinds(this);
  private final List<Layer> layers = new ArrayList<>();
  private final Map<String, Integer> counters = new LinkedHashMap<>();
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
        done = merge();
      } else if (action < 92) {
        done = share();
      } else {
        done = intermediateOutput();
      }
      if (!done) {
        unary(source());
      }
    }
    closeSinks();
    freezeSome();
    if (random.nextDouble() < REJECTED_BY_DESIGN) {
      rejectByDesign();
    }
    if (rejectedWith == null && chance(BLOCKS)) {
      block = RandomBlock.cut(this, layers, name);
    }
    String source = render(pkg, name);
    return new Generated(
        seed,
        name,
        source,
        shapes(),
        parameterCounts(),
        kinds(),
        features(source),
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

  private Layer addInput(int[] shape, boolean tokens) {
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
  private Layer source() {
    List<Layer> sinks = floats().stream().filter(layer -> layer.readers == 0).toList();
    if (!sinks.isEmpty() && (sinks.size() >= 3 || chance(0.75))) {
      return pick(sinks);
    }
    return pick(floats());
  }

  /** The layers a float layer may read: all but token inputs. */
  private List<Layer> floats() {
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
  private Layer add(Kind kind, List<Layer> inputs) {
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

  // ---- single-input kinds ----

  /** A random kind that applies to inputs of {@code shape}, or null. */
  private Kind unaryKind(int[] shape) {
    List<Supplier<Kind>> options = new ArrayList<>();
    int rank = shape.length;
    boolean fixed = Arrays.stream(shape).noneMatch(size -> size == VARIABLE);
    if (shape[rank - 1] > 0) {
      options.add(this::dense);
      options.add(this::dense);
      options.add(this::batchNormalization);
      options.add(this::dropout);
      options.add(this::activationLayer);
      options.add(this::leakyRelu);
      options.add(() -> layerNormalization(shape));
      options.add(() -> softmax(shape));
    }
    if (rank == 3 && fixed) {
      // Images have many kinds of their own: weighted so that they outnumber the generic ones.
      for (int i = 0; i < 3; i++) {
        options.add(this::convolution);
        options.add(this::pooling);
      }
      for (int i = 0; i < 2; i++) {
        options.add(convKinds::depthwise);
        options.add(convKinds::separable);
        options.add(this::transposedConvolution);
        options.add(this::border);
        options.add(this::globalPooling);
        options.add(this::upSampling);
      }
    }
    if (rank == 2 && shape[1] > 0) {
      for (int i = 0; i < 3; i++) {
        options.add(this::recurrent);
      }
      options.add(this::bidirectional);
      for (int i = 0; i < 2; i++) {
        options.add(convKinds::conv1d);
        options.add(convKinds::pooling1d);
      }
      options.add(convKinds::globalPooling1d);
      options.add(convKinds::upSampling1d);
      options.add(this::selfAttention);
      options.add(this::selfAttention);
      options.add(() -> positionEmbedding(shape));
    }
    if (fixed && rank >= 2) {
      options.add(this::flatten);
    }
    if (fixed) {
      options.add(() -> reshape(shape));
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

  private Kind dense() {
    int units = between(1, 6);
    String activation = activation(units);
    boolean bias = chance(0.85);
    StringBuilder attributes = new StringBuilder("units = " + units);
    attributes.append(
        activation.equals("LINEAR") && chance(0.5) ? "" : ", activation = " + activation);
    attributes.append(bias ? "" : ", useBias = false");
    attributes.append(initializers(bias));
    return new Kind(
        "@Dense(" + attributes + ")",
        "Dense",
        in -> in.get(0)[in.get(0).length - 1] > 0 ? withLast(in.get(0), units) : null,
        in ->
            bias
                ? List.of(new long[] {last(in.get(0)), units}, new long[] {units})
                : List.of(new long[] {last(in.get(0)), units}),
        activation);
  }

  private Kind convolution() {
    int filters = between(1, 4);
    int[] size = {between(1, 3), between(1, 3)};
    if (chance(0.5)) {
      size[1] = size[0];
    }
    boolean dilated = chance(0.25);
    int[] strides = dilated ? new int[] {1, 1} : new int[] {between(1, 2), between(1, 2)};
    int[] dilation = dilated ? new int[] {between(1, 2), 2} : new int[] {1, 1};
    if (chance(0.5)) {
      dilation[0] = dilation[1];
      strides[1] = strides[0];
    }
    boolean same = chance(0.5);
    String activation = activation(filters);
    boolean bias = chance(0.85);
    String attributes =
        "filters = "
            + filters
            + ", kernelSize = "
            + pair(size)
            + (strides[0] * strides[1] > 1 || chance(0.2) ? ", strides = " + pair(strides) : "")
            + (dilated ? ", dilationRate = " + pair(dilation) : "")
            + (same ? ", padding = SAME" : chance(0.3) ? ", padding = VALID" : "")
            + (activation.equals("LINEAR") ? "" : ", activation = " + activation)
            + (bias ? "" : ", useBias = false")
            + initializers(bias);
    return new Kind(
        "@Conv2D(" + attributes + ")",
        "Conv2D",
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int rows = window(image[0], size[0], strides[0], dilation[0], same);
          int columns = window(image[1], size[1], strides[1], dilation[1], same);
          return rows < 1 || columns < 1 ? null : new int[] {rows, columns, filters};
        },
        in -> convolutionWeights(size[0] * size[1], in.get(0)[2], filters, bias),
        activation);
  }

  private Kind transposedConvolution() {
    int filters = between(1, 3);
    int[] size = {between(1, 3), between(1, 3)};
    boolean dilated = chance(0.2);
    int[] strides = dilated ? new int[] {1, 1} : new int[] {between(1, 2), between(1, 2)};
    int[] dilation = dilated ? new int[] {2, between(1, 2)} : new int[] {1, 1};
    boolean same = chance(0.5);
    String activation = activation(filters);
    boolean bias = chance(0.85);
    String attributes =
        "filters = "
            + filters
            + ", kernelSize = "
            + pair(size)
            + (strides[0] * strides[1] > 1 ? ", strides = " + pair(strides) : "")
            + (dilated ? ", dilationRate = " + pair(dilation) : "")
            + (same ? ", padding = SAME" : "")
            + (activation.equals("LINEAR") ? "" : ", activation = " + activation)
            + (bias ? "" : ", useBias = false")
            + initializers(bias);
    return new Kind(
        "@Conv2DTranspose(" + attributes + ")",
        "Conv2DTranspose",
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int[] out = new int[] {0, 0, filters};
          for (int axis = 0; axis < 2; axis++) {
            int extent = (size[axis] - 1) * dilation[axis] + 1;
            // Keras' deconv_output_length without output padding.
            out[axis] =
                same
                    ? image[axis] * strides[axis]
                    : image[axis] * strides[axis] + Math.max(extent - strides[axis], 0);
          }
          return out;
        },
        // Keras' transposed kernel is (rows, columns, filters, channels).
        in -> convolutionWeights(size[0] * size[1], in.get(0)[2], filters, bias),
        activation);
  }

  static List<long[]> convolutionWeights(
      int taps, int channels, int filters, boolean bias) {
    long[] kernel = {taps, channels, filters};
    return bias ? List.of(kernel, new long[] {filters}) : List.of(kernel);
  }

  private Kind pooling() {
    boolean max = chance(0.5);
    int[] size = {between(1, 3), between(1, 3)};
    if (chance(0.5)) {
      size[1] = size[0];
    }
    boolean defaultStrides = chance(0.5);
    int[] strides = defaultStrides ? size : new int[] {between(1, 2), between(1, 2)};
    boolean same = chance(0.4);
    String attributes =
        (size[0] == 2 && size[1] == 2 && chance(0.5) ? "" : "poolSize = " + pair(size))
            + (defaultStrides ? "" : ", strides = " + pair(strides))
            + (same ? ", padding = SAME" : "");
    attributes = attributes.startsWith(", ") ? attributes.substring(2) : attributes;
    String annotation = max ? "MaxPooling2D" : "AveragePooling2D";
    return new Kind(
        "@" + annotation + (attributes.isEmpty() ? "" : "(" + attributes + ")"),
        annotation,
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int rows = window(image[0], size[0], strides[0], 1, same);
          int columns = window(image[1], size[1], strides[1], 1, same);
          return rows < 1 || columns < 1 ? null : new int[] {rows, columns, image[2]};
        });
  }

  private Kind globalPooling() {
    String annotation = chance(0.5) ? "GlobalAveragePooling2D" : "GlobalMaxPooling2D";
    return new Kind(
        "@" + annotation,
        annotation,
        in -> in.get(0).length == 3 ? new int[] {in.get(0)[2]} : null);
  }

  private Kind upSampling() {
    int[] size = {between(1, 2), between(1, 2)};
    boolean defaults = size[0] == 2 && size[1] == 2 && chance(0.5);
    return new Kind(
        defaults ? "@UpSampling2D" : "@UpSampling2D(size = " + pair(size) + ")",
        "UpSampling2D",
        in ->
            in.get(0).length == 3
                ? new int[] {in.get(0)[0] * size[0], in.get(0)[1] * size[1], in.get(0)[2]}
                : null);
  }

  /** Cropping2D or ZeroPadding2D, with one, two or four sizes. */
  private Kind border() {
    boolean crop = chance(0.5);
    int limit = crop ? 1 : 2;
    int[] written =
        switch (random.nextInt(3)) {
          case 0 -> new int[] {between(0, limit)};
          case 1 -> new int[] {between(0, limit), between(0, limit)};
          default ->
              new int[] {
                between(0, limit), between(0, limit), between(0, limit), between(0, limit)
              };
        };
    return border(crop, written);
  }

  private Kind border(boolean crop, int[] written) {
    int[] sides =
        switch (written.length) {
          case 1 -> new int[] {written[0], written[0], written[0], written[0]};
          case 2 -> new int[] {written[0], written[0], written[1], written[1]};
          default -> written;
        };
    int sign = crop ? -1 : 1;
    String annotation = crop ? "Cropping2D" : "ZeroPadding2D";
    String attribute = crop ? "cropping" : "padding";
    return new Kind(
        "@" + annotation + "(" + attribute + " = " + ints(written) + ")",
        annotation,
        in -> {
          int[] image = in.get(0);
          if (image.length != 3) {
            return null;
          }
          int rows = image[0] + sign * (sides[0] + sides[1]);
          int columns = image[1] + sign * (sides[2] + sides[3]);
          return rows < 1 || columns < 1 ? null : new int[] {rows, columns, image[2]};
        });
  }

  private Kind flatten() {
    return new Kind(
        "@Flatten",
        "Flatten",
        in -> isFixed(in.get(0)) ? new int[] {(int) product(in.get(0))} : null);
  }

  /** A new shape of rank 1 to 3 for the input's values, sometimes with one size left as -1. */
  private Kind reshape(int[] shape) {
    int length = (int) product(shape);
    List<Integer> divisors = new ArrayList<>();
    for (int d = 1; d <= length; d++) {
      if (length % d == 0) {
        divisors.add(d);
      }
    }
    int[] target;
    int rank = between(1, 3);
    if (rank == 1) {
      target = new int[] {length};
    } else {
      int first = pick(divisors);
      int rest = length / first;
      if (rank == 2) {
        target = new int[] {first, rest};
      } else {
        List<Integer> restDivisors = divisors.stream().filter(d -> rest % d == 0).toList();
        int second = pick(restDivisors);
        target = new int[] {first, second, rest / second};
      }
    }
    int[] written = target.clone();
    if (chance(0.4)) {
      written[random.nextInt(written.length)] = -1;
    }
    int[] result = target;
    return new Kind(
        "@Reshape(targetShape = " + ints(written) + ")",
        "Reshape",
        in -> isFixed(in.get(0)) && product(in.get(0)) == length ? result : null);
  }

  private Kind batchNormalization() {
    List<String> attributes = new ArrayList<>();
    boolean scale = !chance(0.2);
    boolean center = !chance(0.2);
    if (chance(0.3)) {
      attributes.add("momentum = " + pick(List.of("0.9", "0.5", "0.0")));
    }
    if (chance(0.3)) {
      attributes.add("epsilon = " + pick(List.of("0.01", "1e-5")));
    }
    if (!scale) {
      attributes.add("scale = false");
    }
    if (!center) {
      attributes.add("center = false");
    }
    if (chance(0.15)) {
      attributes.add("axis = -1");
    }
    if (chance(0.2)) {
      attributes.add("gammaInitializer = " + pick(List.of("ONES", "RANDOM_UNIFORM")));
    }
    if (chance(0.2)) {
      attributes.add("betaInitializer = " + pick(List.of("ZEROS", "RANDOM_UNIFORM")));
    }
    return new Kind(
        "@BatchNormalization"
            + (attributes.isEmpty() ? "" : "(" + String.join(", ", attributes) + ")"),
        "BatchNormalization",
        in -> last(in.get(0)) > 0 ? in.get(0) : null,
        in -> {
          // Keras counts gamma, beta and the two moving statistics, one value per channel each.
          long channels = last(in.get(0));
          List<long[]> weights = new ArrayList<>();
          for (int i = 0; i < (scale ? 1 : 0) + (center ? 1 : 0) + 2; i++) {
            weights.add(new long[] {channels});
          }
          return weights;
        },
        "LINEAR");
  }

  private Kind dropout() {
    String rate = pick(List.of("0.0", "0.2", "0.3", "0.5"));
    return new Kind("@Dropout(rate = " + rate + ")", "Dropout", in -> in.get(0));
  }

  private Kind activationLayer() {
    String activation = pick(ACTIVATIONS);
    return new Kind(
        "@ActivationLayer(" + activation + ")",
        "ActivationLayer",
        in -> in.get(0),
        in -> List.of(),
        activation);
  }

  /** Over the last axis, or the last two when both are fixed; Keras' axes count the batch. */
  private Kind layerNormalization(int[] shape) {
    int rank = shape.length;
    boolean two = rank >= 2 && shape[rank - 2] > 0 && chance(0.3);
    int normalised = two ? 2 : 1;
    List<String> attributes = new ArrayList<>();
    // Axes counted from the front name the last ones only at this rank: a layer sharing these
    // weights must read a tensor of the same rank (seed 141).
    boolean fromFront = false;
    if (two) {
      fromFront = !chance(0.5);
      attributes.add(fromFront ? "axis = {" + (rank - 1) + ", " + rank + "}" : "axis = {-2, -1}");
    } else if (chance(0.3)) {
      fromFront = !chance(0.5);
      attributes.add(fromFront ? "axis = " + rank : "axis = -1");
    }
    if (chance(0.3)) {
      attributes.add("epsilon = " + pick(List.of("1e-5", "0.01", "1e-6")));
    }
    boolean scale = !chance(0.2);
    boolean center = !chance(0.2);
    if (!scale) {
      attributes.add("scale = false");
    }
    if (!center) {
      attributes.add("center = false");
    }
    if (chance(0.2)) {
      attributes.add("gammaInitializer = " + pick(List.of("ONES", "RANDOM_UNIFORM")));
    }
    boolean fromFrontAxes = fromFront;
    return new Kind(
        "@LayerNormalization"
            + (attributes.isEmpty() ? "" : "(" + String.join(", ", attributes) + ")"),
        "LayerNormalization",
        in -> {
          int[] input = in.get(0);
          if (fromFrontAxes && input.length != rank) {
            return null;
          }
          for (int i = input.length - normalised; i < input.length; i++) {
            if (i < 0 || input[i] < 1) {
              return null;
            }
          }
          return input;
        },
        in -> {
          // Keras shapes gamma and beta like the normalised axes.
          int[] input = in.get(0);
          long[] dims = new long[normalised];
          for (int i = 0; i < normalised; i++) {
            dims[i] = input[input.length - normalised + i];
          }
          List<long[]> weights = new ArrayList<>();
          for (int i = 0; i < (scale ? 1 : 0) + (center ? 1 : 0); i++) {
            weights.add(dims);
          }
          return weights;
        },
        "LINEAR");
  }

  /** Over a fixed axis of more than one value (a softmax over one value is the constant 1). */
  private Kind softmax(int[] shape) {
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > 1) {
        axes.add(i);
      }
    }
    if (axes.isEmpty()) {
      return null;
    }
    int axis = pick(axes);
    int rank = shape.length;
    String written = axis == rank - 1 && chance(0.5) ? ""
        : "(axis = " + (chance(0.5) ? axis + 1 : axis - rank) + ")";
    // Over the last axis written as -1 (or not at all), Kiln's Softmax is the SOFTMAX activation.
    boolean activation = written.isEmpty() || written.equals("(axis = -1)");
    return new Kind(
        "@Softmax" + written,
        "Softmax",
        in -> in.get(0).length == rank && in.get(0)[axis] > 1 ? in.get(0) : null,
        in -> List.of(),
        activation ? "SOFTMAX" : "LINEAR");
  }

  private Kind leakyRelu() {
    String slope = pick(List.of("", "0.0", "0.1", "0.3", "1.5"));
    return new Kind(
        "@LeakyReLU" + (slope.isEmpty() ? "" : "(negativeSlope = " + slope + ")"),
        "LeakyReLU",
        in -> in.get(0));
  }

  private Kind recurrent() {
    String annotation = pick(List.of("LSTM", "GRU", "SimpleRNN"));
    int units = between(1, 4);
    boolean sequences = chance(0.5);
    boolean bias = chance(0.85);
    String attributes =
        "units = "
            + units
            + (sequences
                ? ", returnSequences = true"
                : chance(0.2) ? ", returnSequences = false" : "")
            + (bias ? "" : ", useBias = false")
            + (annotation.equals("LSTM") && chance(0.3) ? ", unitForgetBias = false" : "")
            + (chance(0.2) ? ", recurrentInitializer = " + pick(KERNEL_INITIALIZERS) : "")
            + initializers(bias);
    int gates =
        switch (annotation) {
          case "LSTM" -> 4;
          case "GRU" -> 3;
          default -> 1;
        };
    return new Kind(
        "@" + annotation + "(" + attributes + ")",
        annotation,
        in ->
            in.get(0).length == 2 && in.get(0)[1] > 0
                ? sequences ? new int[] {in.get(0)[0], units} : new int[] {units}
                : null,
        in -> {
          List<long[]> weights = new ArrayList<>();
          weights.add(new long[] {in.get(0)[1], gates * units});
          weights.add(new long[] {units, gates * units});
          if (bias) {
            // Keras' GRU (reset_after) has an input and a recurrent bias.
            weights.add(
                annotation.equals("GRU")
                    ? new long[] {2, gates * units}
                    : new long[] {gates * units});
          }
          return weights;
        },
        "LINEAR");
  }

  /** MultiHeadAttention of a sequence with itself: one parameter, Keras' {@code layer(x, x)}. */
  private Kind selfAttention() {
    return attention(1);
  }

  /**
   * A MultiHeadAttention of {@code inputs} tensors (query, value, key) with random attributes;
   * its shape rule takes the first input as query, the second (or the first) as value and key.
   */
  private Kind attention(int inputs) {
    int heads = between(1, 3);
    int keyDim = between(1, 3);
    int valueDim = chance(0.3) ? between(1, 3) : keyDim;
    int outputShape = chance(0.3) ? between(1, 4) : 0;
    boolean bias = chance(0.85);
    StringBuilder attributes = new StringBuilder("numHeads = " + heads + ", keyDim = " + keyDim);
    attributes.append(valueDim != keyDim || chance(0.1) ? ", valueDim = " + valueDim : "");
    attributes.append(outputShape > 0 ? ", outputShape = " + outputShape : "");
    attributes.append(bias ? "" : ", useBias = false");
    attributes.append(chance(0.4) ? ", useCausalMask = true" : "");
    attributes.append(chance(0.25) ? ", dropout = " + pick(List.of("0.0", "0.2", "0.5")) : "");
    attributes.append(initializers(bias));
    return new Kind(
        "@MultiHeadAttention(" + attributes + ")",
        "MultiHeadAttention",
        in -> {
          int[] query = in.get(0);
          int[] value = in.get(Math.min(1, in.size() - 1));
          int[] key = in.get(Math.min(2, in.size() - 1));
          boolean sequences = in.stream().allMatch(shape -> shape.length == 2 && shape[1] > 0);
          return in.size() != inputs || !sequences || query[1] != value[1] || value[0] != key[0]
              ? null
              : new int[] {query[0], outputShape > 0 ? outputShape : query[1]};
        },
        in -> {
          int query = in.get(0)[1];
          int value = in.get(Math.min(1, in.size() - 1))[1];
          int key = in.get(Math.min(2, in.size() - 1))[1];
          int out = outputShape > 0 ? outputShape : query;
          List<long[]> weights = new ArrayList<>();
          long[][] kernels = {
            {query, heads, keyDim}, {key, heads, keyDim}, {value, heads, valueDim}
          };
          for (long[] kernel : kernels) {
            weights.add(kernel);
            if (bias) {
              weights.add(new long[] {heads, kernel[2]});
            }
          }
          weights.add(new long[] {heads, valueDim, out});
          if (bias) {
            weights.add(new long[] {out});
          }
          return weights;
        },
        "LINEAR");
  }

  /**
   * Cross-attention from {@code query}, a sequence, to a value of its features (itself among
   * them: one tensor read twice) and, sometimes, a key of the value's steps.
   */
  private boolean crossAttention(Layer query) {
    List<Layer> values = floats().stream()
        .filter(layer -> layer.shape.length == 2 && layer.shape[1] == query.shape[1])
        .toList();
    Layer value = pick(values);
    List<Layer> parts = new ArrayList<>(List.of(query, value));
    if (chance(0.4)) {
      List<Layer> keys = floats().stream()
          .filter(layer -> layer.shape.length == 2 && layer.shape[1] > 0
              && layer.shape[0] == value.shape[0])
          .toList();
      parts.add(pick(keys));
    }
    return add(attention(parts.size()), parts) != null;
  }

  /** KerasNLP's position embedding of a sequence, with a table as long or longer. */
  private Kind positionEmbedding(int[] shape) {
    // Variable lengths run with 2 to 5 steps.
    int length = shape[0] == VARIABLE ? between(5, 7) : shape[0] + between(0, 2);
    String attributes = "sequenceLength = " + length
        + (chance(0.3) ? ", initializer = " + pick(KERNEL_INITIALIZERS) : "");
    return new Kind(
        "@PositionEmbedding(" + attributes + ")",
        "PositionEmbedding",
        in -> in.get(0).length == 2 && in.get(0)[1] > 0 && in.get(0)[0] <= length ? in.get(0) : null,
        in -> List.of(new long[] {length, in.get(0)[1]}),
        "LINEAR");
  }

  private Kind bidirectional() {
    Kind inner = recurrent();
    boolean sum = chance(0.4);
    String wrapper =
        sum
            ? "@Bidirectional(mergeMode = SUM)"
            : chance(0.2) ? "@Bidirectional(mergeMode = CONCAT)" : "@Bidirectional";
    return new Kind(
        wrapper + " " + inner.annotation(),
        "Bidirectional",
        in -> {
          int[] one = inner.shape().apply(in);
          return one == null || sum ? one : withLast(one, 2 * last(one));
        },
        in -> {
          List<long[]> both = new ArrayList<>(inner.weights().apply(in));
          both.addAll(inner.weights().apply(in));
          return both;
        },
        "LINEAR");
  }

  /** {@code inner} applied to each step: the first axis is kept, the rest is one step. */
  private static Kind timeDistributed(Kind inner) {
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

  // ---- merges ----

  /**
   * Add, Multiply or Concatenate of a tensor with one or two others of fitting shapes: existing
   * tensors where some fit, else tensors made to fit from another tensor or from the first one (a
   * diamond, or a residual connection).
   */
  private boolean merge() {
    Layer first = source();
    if (first.shape.length == 2 && first.shape[1] > 0 && chance(0.3)) {
      return crossAttention(first);
    }
    String kind =
        pick(List.of("Add", "Multiply", "Concatenate", "Concatenate", "Subtract", "Average",
            "Maximum", "Minimum", "Dot", "Dot"));
    if (kind.equals("Dot")) {
      return dot(first);
    }
    int[] shape = first.shape;
    int axis = -1;
    String axisText = "";
    if (kind.equals("Concatenate")) {
      List<Integer> axes = new ArrayList<>();
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] != VARIABLE) {
          axes.add(i);
        }
      }
      if (axes.isEmpty()) {
        return false;
      }
      axis = pick(axes);
      // Keras counts the batch axis: axis i of a sample is i + 1, or i - rank from the end.
      axisText =
          axis == shape.length - 1 && chance(0.6)
              ? ""
              : chance(0.5) ? "axis = " + (axis + 1) : "axis = " + (axis - shape.length);
    }
    List<Layer> parts = new ArrayList<>();
    parts.add(first);
    int others = chance(0.75) || kind.equals("Subtract") ? 1 : 2;
    for (int i = 0; i < others; i++) {
      Layer other = fitting(first, shape, axis, kind.equals("Concatenate"));
      if (other == null) {
        return false;
      }
      parts.add(other);
    }
    Collections.shuffle(parts, random);
    int freeAxis = axis;
    boolean concatenate = kind.equals("Concatenate");
    Kind merge =
        new Kind(
            "@" + kind + (axisText.isEmpty() ? "" : "(" + axisText + ")"),
            kind,
            in -> concatenate ? concatenated(in, freeAxis) : in.get(0));
    return add(merge, parts) != null;
  }

  /**
   * Keras' Dot of {@code first} (a vector or a matrix per sample) with a tensor whose contracted
   * axis has the same size: an existing one or one made to fit. The output is {@code first}'s
   * other axis, then the second's, or {@code (1)} for two vectors.
   */
  private boolean dot(Layer first) {
    int[] shape = first.shape;
    if (shape.length > 2 || !isFixed(shape)) {
      return false;
    }
    int axisA = shape.length == 1 ? 1 : between(1, 2);
    int size = shape[axisA - 1];
    int[] target = chance(0.4) ? new int[] {size}
        : chance(0.5) ? new int[] {between(1, 4), size} : new int[] {size, between(1, 4)};
    int axisB = target.length == 1 ? 1 : target[1] == size && (target[0] != size || chance(0.5))
        ? 2 : 1;
    Layer second = fitting(first, target, -1, false);
    if (second == null || second.shape.length != target.length) {
      return false;
    }
    boolean normalize = chance(0.4);
    // Keras' axes count the batch axis; written as one value when both agree, or from the end.
    // (A negative single value counts from each input's end, so only for inputs of one rank.)
    String axes = axisA == axisB && chance(0.6)
        ? (chance(0.5) || shape.length != target.length ? Integer.toString(axisA)
            : Integer.toString(axisA - 1 - shape.length))
        : "{" + axisA + ", " + axisB + "}";
    int a = axisA;
    int b = axisB;
    Kind dot =
        new Kind(
            "@Dot(axes = " + axes + (normalize ? ", normalize = true" : "") + ")",
            "Dot",
            in -> dotShape(in.get(0), in.get(1), a, b));
    return add(dot, List.of(first, second)) != null;
  }

  private static int[] dotShape(int[] first, int[] second, int axisA, int axisB) {
    if (first.length > 2 || second.length > 2 || axisA > first.length || axisB > second.length
        || first[axisA - 1] != second[axisB - 1]) {
      return null;
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < first.length; i++) {
      if (i != axisA - 1) {
        dims.add(first[i]);
      }
    }
    for (int i = 0; i < second.length; i++) {
      if (i != axisB - 1) {
        dims.add(second[i]);
      }
    }
    return dims.isEmpty() ? new int[] {1} : dims.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * A tensor of {@code shape} (free on {@code axis} when {@code free}) to merge with {@code first}:
   * an existing one, {@code first} itself (read twice), or one made to fit.
   */
  private Layer fitting(Layer first, int[] shape, int axis, boolean free) {
    List<Layer> fitting =
        floats().stream()
            .filter(layer -> layer != first && matches(layer.shape, shape, free ? axis : -2))
            .toList();
    int choice = random.nextInt(10);
    if (!fitting.isEmpty() && choice < 5) {
      return pick(fitting);
    }
    if (choice == 5) {
      return first;
    }
    int[] target = shape.clone();
    if (free) {
      target[axis] = between(1, 4);
    }
    Layer from = chance(0.4) ? first : pick(floats());
    return adapt(from, target);
  }

  /**
   * Layers turning {@code from} into a tensor of exactly {@code target}; returns the last of them,
   * or null where the generator knows no way.
   */
  private Layer adapt(Layer from, int[] target) {
    int[] shape = from.shape;
    boolean variable = target[0] == VARIABLE;
    if (variable) {
      // Only a sequence of the same varying length fits: map its features.
      return shape.length == 2 && shape[0] == VARIABLE && shape[1] > 0
          ? add(chance(0.5) ? fixedDense(target[1]) : fixedRecurrent(target[1]), List.of(from))
          : null;
    }
    if (!isFixed(shape)) {
      return null;
    }
    if (target.length == 3 && shape.length == 3) {
      // Crop or pad to the rows and columns, then a convolution for the channels.
      Layer image = from;
      int rows = target[0] - shape[0];
      int columns = target[1] - shape[1];
      if (rows != 0 || columns != 0) {
        int[] sides = {0, 0, 0, 0};
        sides[0] = Math.abs(rows) / 2;
        sides[1] = Math.abs(rows) - sides[0];
        sides[2] = Math.abs(columns) / 2;
        sides[3] = Math.abs(columns) - sides[2];
        if ((rows < 0 && columns > 0) || (rows > 0 && columns < 0)) {
          Layer rowsFixed =
              add(border(rows < 0, new int[] {sides[0], sides[1], 0, 0}), List.of(image));
          image =
              rowsFixed == null
                  ? null
                  : add(
                      border(columns < 0, new int[] {0, 0, sides[2], sides[3]}),
                      List.of(rowsFixed));
        } else {
          image = add(border(rows < 0 || columns < 0, sides), List.of(image));
        }
        if (image == null) {
          return null;
        }
      }
      if (image.shape[2] == target[2] && image != from && chance(0.5)) {
        return image;
      }
      int kernel = pick(List.of(1, 1, 3));
      Kind convolution =
          new Kind(
              "@Conv2D(filters = "
                  + target[2]
                  + ", kernelSize = "
                  + kernel
                  + (kernel > 1 ? ", padding = SAME" : "")
                  + ")",
              "Conv2D",
              in ->
                  in.get(0).length == 3 ? new int[] {in.get(0)[0], in.get(0)[1], target[2]} : null,
              in -> convolutionWeights(kernel * kernel, in.get(0)[2], target[2], true),
              "LINEAR");
      return add(convolution, List.of(image));
    }
    if (target.length == 2 && shape.length == 2 && shape[0] == target[0]) {
      return add(chance(0.5) ? fixedDense(target[1]) : fixedRecurrent(target[1]), List.of(from));
    }
    // Any fixed tensor: flat, a Dense to the number of values, and reshaped.
    Layer flat = shape.length == 1 ? from : add(flatten(), List.of(from));
    if (flat == null) {
      return null;
    }
    int length = (int) product(target);
    Layer dense = add(fixedDense(length), List.of(flat));
    if (dense == null || target.length == 1) {
      return dense;
    }
    int[] written = target.clone();
    Kind reshape =
        new Kind(
            "@Reshape(targetShape = " + ints(written) + ")",
            "Reshape",
            in -> product(in.get(0)) == length ? target : null);
    return add(reshape, List.of(dense));
  }

  private Kind fixedDense(int units) {
    String activation = pick(List.of("LINEAR", "TANH", "SIGMOID", "RELU"));
    return new Kind(
        "@Dense(units = "
            + units
            + (activation.equals("LINEAR") ? "" : ", activation = " + activation)
            + ")",
        "Dense",
        in -> last(in.get(0)) > 0 ? withLast(in.get(0), units) : null,
        in -> List.of(new long[] {last(in.get(0)), units}, new long[] {units}),
        activation);
  }

  private Kind fixedRecurrent(int units) {
    String annotation = pick(List.of("LSTM", "GRU", "SimpleRNN"));
    int gates = annotation.equals("LSTM") ? 4 : annotation.equals("GRU") ? 3 : 1;
    return new Kind(
        "@" + annotation + "(units = " + units + ", returnSequences = true)",
        annotation,
        in -> in.get(0).length == 2 ? new int[] {in.get(0)[0], units} : null,
        in ->
            List.of(
                new long[] {in.get(0)[1], gates * units},
                new long[] {units, gates * units},
                annotation.equals("GRU")
                    ? new long[] {2, gates * units}
                    : new long[] {gates * units}),
        "LINEAR");
  }

  // ---- shared weights ----

  /**
   * A layer using the weights of an existing one (Keras: one layer object called twice), on another
   * tensor whose shape gives the same weight shapes, possibly the owner's own output.
   */
  private boolean share() {
    // A layer of several inputs (cross-attention) is not applied again to one.
    List<Layer> owners = layers.stream()
        .filter(layer -> layer.ownsWeights() && layer.reads.size() == 1)
        .toList();
    if (owners.isEmpty()) {
      return false;
    }
    Layer owner = pick(owners);
    String key = owner.kind.weightKey(owner.inputShapes());
    if (owner.reads.get(0).tokens) {
      // Another token input of the same rank, looked up in the same vocabulary.
      int[] shape = owner.reads.get(0).shape.clone();
      for (int axis = 0; axis < shape.length; axis++) {
        shape[axis] = shape[axis] == VARIABLE && chance(0.5) ? VARIABLE : between(2, 4);
      }
      if (owner.kind.shape().apply(List.of(shape)) == null
          || !fits(owner.kind.shape().apply(List.of(shape)))) {
        return false;
      }
      return addSharing(owner, addInput(shape, true));
    }
    List<Layer> fitting =
        floats().stream()
            .filter(layer -> layer != owner.reads.get(0) || chance(0.3))
            .filter(
                layer -> {
                  List<int[]> in = List.of(layer.shape);
                  return owner.kind.shape().apply(in) != null
                      && owner.kind.weightKey(in).equals(key);
                })
            .toList();
    if (!fitting.isEmpty() && chance(0.7)) {
      return addSharing(owner, pick(fitting));
    }
    Layer made = adapt(pick(floats()), owner.reads.get(0).shape);
    return made != null && addSharing(owner, made);
  }

  private boolean addSharing(Layer owner, Layer input) {
    Layer user = add(owner.kind, List.of(input));
    if (user == null) {
      return false;
    }
    user.sharesWeightsOf = owner;
    return true;
  }

  private void freezeSome() {
    for (Layer layer : layers) {
      if (layer.ownsWeights() && chance(0.12)) {
        layer.frozen = true;
      }
    }
  }

  // ---- outputs ----

  /** Marks a layer that other layers read as an output too, with a loss that allows readers. */
  private boolean intermediateOutput() {
    List<Layer> candidates =
        layers.stream()
            .filter(layer -> !layer.isInput() && layer.output == null && layer.readers > 0)
            .toList();
    if (candidates.isEmpty()) {
      return false;
    }
    Layer layer = pick(candidates);
    String activation = layer.kind.activation();
    boolean logits = activation.equals("LINEAR") && last(layer.shape) > 1 && chance(0.4);
    layer.output =
        logits
            ? output(
                pick(
                    List.of(
                        "CATEGORICAL_CROSSENTROPY",
                        "SPARSE_CATEGORICAL_CROSSENTROPY",
                        "BINARY_CROSSENTROPY")),
                true)
            : output(pick(List.of("MSE", "MAE", "HUBER")), false);
    return true;
  }

  /**
   * Every layer nothing reads becomes an output, through a head layer fit for its loss, or as it
   * is.
   */
  private void closeSinks() {
    for (Layer sink : List.copyOf(layers)) {
      if (sink.readers == 0 && !sink.isInput() && sink.output == null) {
        head(sink);
      }
    }
  }

  private void head(Layer sink) {
    String loss =
        pick(
            List.of(
                "CATEGORICAL_CROSSENTROPY",
                "SPARSE_CATEGORICAL_CROSSENTROPY",
                "BINARY_CROSSENTROPY",
                "MSE",
                "MAE",
                "HUBER"));
    boolean crossEntropy = loss.endsWith("CROSSENTROPY");
    boolean binary = loss.equals("BINARY_CROSSENTROPY");
    String probabilities = binary ? "SIGMOID" : "SOFTMAX";
    boolean logits = crossEntropy && chance(0.4);
    // As it is: a regression on any output, a cross-entropy where the activation already fits.
    if (!crossEntropy && chance(0.4)
        || crossEntropy
            && !logits
            && sink.kind.activation().equals(probabilities)
            && (binary || last(sink.shape) > 1)) {
      sink.output = output(loss, false);
      return;
    }
    String activation =
        !crossEntropy
            ? pick(ACTIVATIONS)
            : !logits
                ? probabilities
                : chance(0.9)
                    ? "LINEAR"
                    : probabilities; // raw scores squashed twice: Kiln warns, as Keras stays silent
    int classes = binary || !crossEntropy ? between(1, 4) : between(2, 4);
    int rank = sink.shape.length;
    Kind head;
    int choice = random.nextInt(10);
    if (choice < 2 && rank == 3 && isFixed(sink.shape)) {
      int kernel = pick(List.of(1, 3));
      head =
          new Kind(
              "@Conv2D(filters = "
                  + classes
                  + ", kernelSize = "
                  + kernel
                  + ", padding = SAME"
                  + activationAttribute(activation)
                  + ")",
              "Conv2D",
              in -> in.get(0).length == 3 ? new int[] {in.get(0)[0], in.get(0)[1], classes} : null,
              in -> convolutionWeights(kernel * kernel, in.get(0)[2], classes, true),
              activation);
    } else if (choice < 4
        && !activation.equals("LINEAR")
        && (binary || last(sink.shape) > 1)
        && !sink.kind.family().equals("ActivationLayer")) {
      head =
          new Kind(
              "@ActivationLayer(" + activation + ")",
              "ActivationLayer",
              in -> in.get(0),
              in -> List.of(),
              activation);
    } else if (choice < 6 && rank >= 2) {
      Kind dense =
          new Kind(
              "@Dense(units = " + classes + activationAttribute(activation) + ")",
              "Dense",
              in -> withLast(in.get(0), classes),
              in -> List.of(new long[] {last(in.get(0)), classes}, new long[] {classes}),
              activation);
      head = timeDistributed(dense);
    } else {
      head =
          new Kind(
              "@Dense(units = " + classes + activationAttribute(activation) + ")",
              "Dense",
              in -> withLast(in.get(0), classes),
              in -> List.of(new long[] {last(in.get(0)), classes}, new long[] {classes}),
              activation);
    }
    Layer layer = add(head, List.of(sink));
    if (layer == null) {
      sink.output = output("MSE", false);
      return;
    }
    layer.output = output(loss, logits);
  }

  private static String activationAttribute(String activation) {
    return activation.equals("LINEAR") ? "" : ", activation = " + activation;
  }

  /** An {@code @Output} annotation with the loss, and sometimes a weight and fitting metrics. */
  private String output(String loss, boolean logits) {
    List<String> attributes = new ArrayList<>();
    attributes.add("loss = " + loss);
    if (logits) {
      attributes.add("fromLogits = true");
    }
    if (loss.equals("HUBER") && chance(0.5)) {
      attributes.add("huberDelta = " + pick(List.of("0.25", "2.0")));
    }
    if (chance(0.35)) {
      attributes.add("weight = " + pick(List.of("0.5", "0.25", "2.0", "0.0")));
    }
    if (chance(0.3)) {
      List<String> metrics =
          switch (loss) {
            case "CATEGORICAL_CROSSENTROPY" ->
                List.of("ACCURACY", "CATEGORICAL_ACCURACY", "TOP_K_CATEGORICAL_ACCURACY");
            case "SPARSE_CATEGORICAL_CROSSENTROPY" ->
                List.of(
                    "ACCURACY", "SPARSE_CATEGORICAL_ACCURACY", "SPARSE_TOP_K_CATEGORICAL_ACCURACY");
            case "BINARY_CROSSENTROPY" ->
                List.of("ACCURACY", "BINARY_ACCURACY", "PRECISION", "RECALL");
            default -> List.of("MEAN_ABSOLUTE_ERROR", "MEAN_SQUARED_ERROR");
          };
      attributes.add("metrics = " + pick(metrics));
    }
    return "@Output(" + String.join(", ", attributes) + ")";
  }

  // ---- rejected by design ----

  /**
   * One construct Kiln documents as unsupported or Keras itself refuses, added to an otherwise
   * valid model; the test expects exactly this rejection.
   */
  private void rejectByDesign() {
    List<Layer> fused =
        layers.stream()
            .filter(
                layer ->
                    layer.output != null
                        && !layer.output.contains("fromLogits")
                        && layer.output.contains("CROSSENTROPY"))
            .toList();
    List<Layer> sharing = layers.stream().filter(layer -> layer.sharesWeightsOf != null).toList();
    List<Layer> images =
        floats().stream()
            .filter(
                layer ->
                    layer.shape.length == 3
                        && isFixed(layer.shape)
                        && layer.shape[0] >= 5
                        && layer.shape[1] >= 5)
            .toList();
    int choice = random.nextInt(3);
    if (choice == 0 && !fused.isEmpty()) {
      // The fused softmax (or sigmoid) gradient cannot take other readers' gradients.
      Layer reader = add(fixedDense(2), List.of(pick(fused)));
      if (reader != null) {
        reader.output = "@Output(loss = MSE)";
        rejectedWith = "Kiln/Unsupported";
      }
    } else if (choice == 1 && !sharing.isEmpty()) {
      // Freezing weights through a layer that only borrows them.
      pick(sharing).frozen = true;
      rejectedWith = "Kiln/BadAttribute";
    } else if (choice == 2 && !images.isEmpty()) {
      // Keras refuses a window that is both strided and dilated.
      Kind both =
          new Kind(
              "@Conv2D(filters = 1, kernelSize = 2, strides = 2, dilationRate = 2)",
              "Conv2D",
              in -> new int[] {1, 1, 1},
              in -> List.of(),
              "LINEAR");
      Layer conv = add(both, List.of(pick(images)));
      if (conv != null) {
        conv.output = "@Output(loss = MSE)";
        rejectedWith = "Kiln/BadAttribute";
      }
    }
  }

  // ---- rendering ----

  private String render(String pkg, String name) {
    StringBuilder source = new StringBuilder();
    source.append("package ").append(pkg).append(";\n\n");
    source.append("import dev.kiln.*;\n");
    for (String type :
        List.of(
            "Activation",
            "DType",
            "Initializer",
            "Loss",
            "MergeMode",
            "Metric",
            "Optimizer",
            "Padding")) {
      source.append("import static dev.kiln.").append(type).append(".*;\n");
    }
    if (block != null) {
      block.renderDeclarations(source);
    }
    source.append("\n/** Random model of seed ").append(seed).append(". */\n");
    source.append(modelAnnotation()).append("\n");
    source.append("interface ").append(name).append(" {\n");
    for (Layer layer : layers) {
      if (block != null && block.contains(layer) && !block.isExit(layer)) {
        continue;
      }
      source.append("\n");
      if (block != null && (block.isExit(layer) || block.appliesAgain(layer))) {
        block.renderApplication(source, layer);
        continue;
      }
      if (layer.output != null) {
        source.append("  ").append(layer.output).append("\n");
      }
      if (layer.frozen) {
        source.append("  @Frozen\n");
      }
      if (layer.sharesWeightsOf != null) {
        source.append("  @SameWeightsAs(\"").append(layer.sharesWeightsOf.name).append("\")\n");
      } else if (!layer.isInput()) {
        weightRules(source, layer.kind.annotation());
      }
      source
          .append("  ")
          .append(layer.isInput() ? layer.inputDeclaration : layer.kind.annotation())
          .append("\n");
      source
          .append("  Tensor ")
          .append(layer.name)
          .append("(")
          .append(parameters(layer))
          .append(");\n");
    }
    return source.append("}\n").toString();
  }

  private static final List<String> OPTIMIZERS =
      List.of("SGD", "ADAM", "RMSPROP", "ADAGRAD", "ADAMW", "ADAMAX", "NADAM", "LION");

  private String modelAnnotation() {
    List<String> attributes = new ArrayList<>();
    String optimizer = chance(0.7) ? pick(OPTIMIZERS) : "RMSPROP";
    if (!optimizer.equals("RMSPROP") || chance(0.3)) {
      attributes.add("optimizer = " + optimizer);
    }
    // A schedule replaces the fixed rate; every schedule drawn starts above 0, so a first step
    // moves what has a gradient.
    String schedule = chance(0.3)
        ? pick(List.of(
            "@ExponentialDecay(initialLearningRate = 0.05, decaySteps = 3, decayRate = 0.5)",
            "@PiecewiseConstantDecay(boundaries = {1, 3}, values = {0.05, 0.01, 0.001})",
            "@CosineDecay(initialLearningRate = 0.001, warmupTarget = 0.05, warmupSteps = 2,"
                + " decaySteps = 5)",
            "@PolynomialDecay(initialLearningRate = 0.05, decaySteps = 4, power = 2)"))
        : null;
    if (schedule == null && chance(0.4)) {
      attributes.add("learningRate = " + pick(List.of("0.01", "0.1", "0.001")));
    }
    if (optimizer.equals("SGD") && chance(0.5)) {
      attributes.add("momentum = 0.9");
      if (chance(0.5)) {
        attributes.add("nesterov = true");
      }
    }
    if (chance(0.3)) {
      attributes.add("weightDecay = " + pick(List.of("0.01", "0.1")));
      if (chance(0.5)) {
        attributes.add("decayBiasesAndNorms = false");
      }
    }
    if (chance(0.3)) {
      attributes.add(pick(List.of("clipNorm", "globalClipNorm", "clipValue")) + " = "
          + pick(List.of("0.1", "1.0")));
    }
    String model =
        attributes.isEmpty() ? "@Model" : "@Model(" + String.join(", ", attributes) + ")";
    return schedule == null ? model : schedule + "\n" + model;
  }

  /**
   * Sometimes a regularizer of the layer's output (any layer), of its kernel and bias (a layer
   * that owns a kernel), or a kernel constraint.
   */
  private void weightRules(StringBuilder source, String annotation) {
    boolean ownsKernel = annotation.matches("@(Dense|Conv1D|Conv2D|Conv2DTranspose)\\(.*");
    List<String> factors = new ArrayList<>();
    if (ownsKernel && chance(0.2)) {
      factors.add(pick(List.of("kernelL1", "kernelL2")) + " = " + pick(List.of("0.01", "0.1")));
      if (!annotation.contains("useBias = false") && chance(0.5)) {
        factors.add("biasL2 = 0.05");
      }
    }
    if (chance(0.15)) {
      factors.add(pick(List.of("activityL1 = 0.01", "activityL2 = 0.02",
          "activityL1 = 0.005, activityL2 = 0.01")));
    }
    if (!factors.isEmpty()) {
      source.append("  @Regularizers(").append(String.join(", ", factors)).append(")\n");
    }
    if (!ownsKernel) {
      return;
    }
    if (chance(0.1)) {
      source.append("  @KernelConstraint(").append(pick(List.of(
          "value = Constraint.MAX_NORM, maxValue = 1.5", "Constraint.NON_NEG",
          "Constraint.UNIT_NORM"))).append(")\n");
    }
  }

  /** The parameter list: each read layer by name, with {@code @From} for a second read of one. */
  private static String parameters(Layer layer) {
    return parameters(layer, read -> read.name);
  }

  /** The same, with each read layer called as {@code names} says. */
  static String parameters(Layer layer, Function<Layer, String> names) {
    List<String> parameters = new ArrayList<>();
    List<String> used = new ArrayList<>();
    for (Layer read : layer.reads) {
      String name = names.apply(read);
      if (used.contains(name)) {
        parameters.add("@From(\"" + name + "\") Tensor " + name + "Again" + used.size());
      } else {
        parameters.add("Tensor " + name);
      }
      used.add(name);
    }
    return String.join(", ", parameters);
  }

  private Set<String> features(String source) {
    Set<String> features = new TreeSet<>();
    List<Layer> inputs = layers.stream().filter(Layer::isInput).toList();
    List<Layer> outputs = layers.stream().filter(layer -> layer.output != null).toList();
    mark(features, inputs.size() > 1, "several inputs");
    mark(features, outputs.size() > 1, "several outputs");
    mark(
        features, inputs.stream().anyMatch(input -> input.shape[0] == VARIABLE), "variable length");
    mark(
        features,
        outputs.stream().anyMatch(output -> output.readers > 0),
        "output read by a layer");
    mark(
        features,
        layers.stream().anyMatch(layer -> layer.sharesWeightsOf != null),
        "shared weights");
    mark(features, layers.stream().anyMatch(layer -> layer.frozen), "frozen");
    if (block != null) {
      block.markFeatures(features);
    }
    mark(features, layers.stream().anyMatch(layer -> layer.reads.size() > 1), "merge");
    mark(
        features,
        layers.stream().anyMatch(layer -> layer.reads.size() > new HashSet<>(layer.reads).size()),
        "one tensor read twice by a layer");
    mark(
        features,
        layers.stream()
            .anyMatch(
                layer ->
                    layers.stream().filter(reader -> reader.reads.contains(layer)).count() > 1),
        "fan-out");
    Map<String, String> markers = new LinkedHashMap<>();
    markers.put("fromLogits = true", "fromLogits");
    markers.put("maskZero = true", "mask from maskZero");
    markers.put("@Masking", "mask from Masking");
    markers.put("weight = ", "loss weight");
    markers.put("metrics = ", "metrics");
    for (String optimizer : OPTIMIZERS) {
      markers.put("optimizer = " + optimizer + ",", "optimizer " + optimizer);
      markers.put("optimizer = " + optimizer + ")", "optimizer " + optimizer);
    }
    for (String option : List.of("momentum", "weightDecay", "clipNorm", "globalClipNorm",
        "clipValue", "@Regularizers", "activityL", "huberDelta", "@KernelConstraint", "@ExponentialDecay",
        "@PiecewiseConstantDecay", "@CosineDecay", "@PolynomialDecay")) {
      markers.put(option, option.replace("@", ""));
    }
    markers.forEach((marker, feature) -> mark(features, source.contains(marker), feature));
    for (Layer output : outputs) {
      features.add("loss " + output.output.replaceAll(".*loss = (\\w+).*", "$1"));
    }
    return features;
  }

  private static void mark(Set<String> features, boolean present, String feature) {
    if (present) {
      features.add(feature);
    }
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

  // ---- shapes ----

  /** Whether a tensor of this shape is small enough, and varies only where Kiln allows. */
  private static boolean fits(int[] shape) {
    if (shape == null || shape.length == 0) {
      return false;
    }
    for (int axis = 0; axis < shape.length; axis++) {
      if (shape[axis] == 0 || shape[axis] < VARIABLE || (shape[axis] == VARIABLE && axis > 0)) {
        return false;
      }
    }
    if (shape[0] == VARIABLE && shape.length > 2) {
      return false;
    }
    if (shape.length == 3 && (shape[0] > MAX_SIDE || shape[1] > MAX_SIDE)) {
      return false;
    }
    return Math.abs(product(shape)) <= MAX_VALUES;
  }

  /** Whether {@code shape} equals {@code target} on every axis but {@code free}. */
  private static boolean matches(int[] shape, int[] target, int free) {
    if (shape.length != target.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (i != free && shape[i] != target[i]) {
        return false;
      }
    }
    return free < 0 || shape[free] != VARIABLE;
  }

  private static int[] concatenated(List<int[]> inputs, int axis) {
    int[] joined = inputs.get(0).clone();
    joined[axis] = 0;
    for (int[] input : inputs) {
      joined[axis] += input[axis];
    }
    return joined;
  }

  /** Keras' output length of a window: {@code ceil(in / stride)} with SAME padding. */
  static int window(int in, int size, int stride, int dilation, boolean same) {
    int extent = (size - 1) * dilation + 1;
    return same ? (in + stride - 1) / stride : Math.floorDiv(in - extent, stride) + 1;
  }

  private static boolean isFixed(int[] shape) {
    return Arrays.stream(shape).allMatch(size -> size > 0);
  }

  private static long product(int[] shape) {
    long product = 1;
    for (int size : shape) {
      product *= size;
    }
    return product;
  }

  private static long product(long[] shape) {
    long product = 1;
    for (long size : shape) {
      product *= size;
    }
    return product;
  }

  private static int last(int[] shape) {
    return shape[shape.length - 1];
  }

  private static int[] withLast(int[] shape, int last) {
    int[] copy = shape.clone();
    copy[copy.length - 1] = last;
    return copy;
  }

  private static int[] append(int[] shape, int size) {
    int[] longer = Arrays.copyOf(shape, shape.length + 1);
    longer[shape.length] = size;
    return longer;
  }

  private static int[] prepend(int size, int[] shape) {
    int[] longer = new int[shape.length + 1];
    longer[0] = size;
    System.arraycopy(shape, 0, longer, 1, shape.length);
    return longer;
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

  private String name(String prefix) {
    int count = counters.merge(prefix, 1, Integer::sum);
    return prefix + count;
  }

  private static String ints(int[] values) {
    return values.length == 1
        ? Integer.toString(values[0])
        : Arrays.stream(values)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining(", ", "{", "}"));
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

  <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }
}
