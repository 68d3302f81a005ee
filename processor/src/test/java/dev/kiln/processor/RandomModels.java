package dev.kiln.processor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import javax.lang.model.SourceVersion;

/**
 * Random model interfaces for the fuzz test: sound networks of a few shapes, then mutated the
 * way people get models wrong (renamed references, swapped and extreme attributes, random
 * shapes, cycles, other kinds and counts of inputs, misplaced outputs, wrappers and shared
 * weights). A model is data until it is rendered, and every mutation changes the data, never
 * the syntax: the source is always valid Java, so only Kiln can object to it.
 */
final class RandomModels {

  /** The Java type of an attribute, which decides how a random value of it is written. */
  private enum Type { INT, AXIS, INTS, DOUBLE, BOOL, ACTIVATION, PADDING, DTYPE }

  /** Each layer annotation's attributes, the required ones first. */
  private static final Map<String, Map<String, Type>> KINDS = new LinkedHashMap<>();
  /** How many attributes of each kind are required. */
  private static final Map<String, Integer> REQUIRED = new LinkedHashMap<>();

  private static void kind(String kind, int required, Object... attributes) {
    Map<String, Type> types = new LinkedHashMap<>();
    for (int i = 0; i < attributes.length; i += 2) {
      types.put((String) attributes[i], (Type) attributes[i + 1]);
    }
    KINDS.put(kind, types);
    REQUIRED.put(kind, required);
  }

  static {
    kind("Input", 1, "shape", Type.INTS, "dtype", Type.DTYPE);
    kind("Dense", 1, "units", Type.INT, "activation", Type.ACTIVATION, "useBias", Type.BOOL);
    for (String conv : List.of("Conv2D", "Conv2DTranspose")) {
      kind(conv, 2, "filters", Type.INT, "kernelSize", Type.INTS, "strides", Type.INTS,
          "padding", Type.PADDING, "dilationRate", Type.INTS, "activation", Type.ACTIVATION);
    }
    for (String pool : List.of("MaxPooling2D", "AveragePooling2D")) {
      kind(pool, 0, "poolSize", Type.INTS, "strides", Type.INTS, "padding", Type.PADDING);
    }
    kind("GlobalAveragePooling2D", 0);
    kind("GlobalMaxPooling2D", 0);
    kind("Flatten", 0);
    kind("Reshape", 1, "targetShape", Type.INTS);
    kind("Concatenate", 0, "axis", Type.AXIS);
    kind("Add", 0);
    kind("Multiply", 0);
    kind("Dropout", 1, "rate", Type.DOUBLE);
    kind("UpSampling2D", 0, "size", Type.INTS);
    kind("Cropping2D", 0, "cropping", Type.INTS);
    kind("ZeroPadding2D", 0, "padding", Type.INTS);
    kind("BatchNormalization", 0, "axis", Type.AXIS, "momentum", Type.DOUBLE, "epsilon", Type.DOUBLE);
    kind("ActivationLayer", 1, "value", Type.ACTIVATION);
    for (String recurrent : List.of("LSTM", "GRU", "SimpleRNN")) {
      kind(recurrent, 1, "units", Type.INT, "returnSequences", Type.BOOL);
    }
    kind("Embedding", 2, "inputDim", Type.INT, "outputDim", Type.INT);
    kind("Conv1D", 2, "filters", Type.INT, "kernelSize", Type.INT, "strides", Type.INT,
        "padding", Type.PADDING, "dilationRate", Type.INT, "activation", Type.ACTIVATION);
    for (String pool : List.of("MaxPooling1D", "AveragePooling1D")) {
      kind(pool, 0, "poolSize", Type.INT, "strides", Type.INTS, "padding", Type.PADDING);
    }
    kind("GlobalAveragePooling1D", 0);
    kind("GlobalMaxPooling1D", 0);
    kind("UpSampling1D", 0, "size", Type.INT);
    kind("DepthwiseConv2D", 1, "kernelSize", Type.INTS, "strides", Type.INTS, "padding",
        Type.PADDING, "depthMultiplier", Type.INT, "dilationRate", Type.INTS, "activation",
        Type.ACTIVATION);
    kind("SeparableConv2D", 2, "filters", Type.INT, "kernelSize", Type.INTS, "strides",
        Type.INTS, "padding", Type.PADDING, "depthMultiplier", Type.INT, "dilationRate",
        Type.INTS, "activation", Type.ACTIVATION);
    kind("MultiHeadAttention", 2, "numHeads", Type.INT, "keyDim", Type.INT, "valueDim", Type.INT,
        "outputShape", Type.INT, "dropout", Type.DOUBLE, "useCausalMask", Type.BOOL);
    kind("PositionEmbedding", 1, "sequenceLength", Type.INT);
  }

  private static final List<String> RECURRENT = List.of("LSTM", "GRU", "SimpleRNN", "Embedding");
  private static final List<String> ACTIVATIONS = List.of("LINEAR", "RELU", "SIGMOID", "TANH", "SOFTMAX");
  private static final List<String> LOSSES = List.of("CATEGORICAL_CROSSENTROPY",
      "SPARSE_CATEGORICAL_CROSSENTROPY", "BINARY_CROSSENTROPY", "MSE", "MAE");
  private static final List<String> METRICS = List.of("ACCURACY", "CATEGORICAL_ACCURACY",
      "SPARSE_CATEGORICAL_ACCURACY", "BINARY_ACCURACY", "MEAN_ABSOLUTE_ERROR", "MEAN_SQUARED_ERROR");
  private static final List<String> NAMES = List.of("input", "image", "hidden", "features",
      "merged", "conv", "pool", "dense", "output", "score", "steps", "tokens", "encoded", "skip");

  /** One layer method as data. */
  static final class Layer {
    String name;
    /** The layer annotation's simple name, or null for a method without one. */
    String kind;
    final Map<String, String> attributes = new LinkedHashMap<>();
    String wrapper;
    /** A second layer annotation, a mistake. */
    String secondKind;
    String output;
    String sharedWith;
    final List<String> reads = new ArrayList<>();

    Layer(String name, String kind, String... attributes) {
      this.name = name;
      this.kind = kind;
      for (int i = 0; i < attributes.length; i += 2) {
        this.attributes.put(attributes[i], attributes[i + 1]);
      }
    }

    Layer reads(String... layers) {
      reads.addAll(List.of(layers));
      return this;
    }

    Layer output(String output) {
      this.output = output;
      return this;
    }
  }

  private final Random random;

  RandomModels(long seed) {
    this.random = new Random(seed);
  }

  /** Whether a model's source uses a recurrent or embedding layer. */
  static boolean usesRecurrentLayers(String source) {
    return RECURRENT.stream().anyMatch(kind -> source.contains("@" + kind + " ")
        || source.contains("@" + kind + "("));
  }

  /** A model named {@code name} in package {@code pkg}: sound, or mutated one to three times. */
  String next(String pkg, String name) {
    List<Layer> layers = base();
    int mutations = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      mutate(layers);
    }
    legalize(layers);
    return render(pkg, name, layers);
  }

  // ---- sound models ----

  private List<Layer> base() {
    List<Supplier<List<Layer>>> templates = List.of(this::mlp, this::cnn, this::twoInputs,
        this::encoderDecoder, this::perStep, this::sequence, this::tokens);
    return templates.get(random.nextInt(templates.size())).get();
  }

  private List<Layer> mlp() {
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("input", "Input", "shape", Integer.toString(2 + random.nextInt(30))));
    String previous = "input";
    for (int i = 1; i <= 1 + random.nextInt(3); i++) {
      layers.add(new Layer("hidden" + i, "Dense", "units", Integer.toString(1 + random.nextInt(32)),
          "activation", "Activation." + pick(List.of("RELU", "TANH", "SIGMOID"))).reads(previous));
      previous = "hidden" + i;
    }
    layers.add(new Layer("output", "Dense", "units", Integer.toString(2 + random.nextInt(9)),
        "activation", "Activation.SOFTMAX").reads(previous)
        .output("loss = Loss.CATEGORICAL_CROSSENTROPY, metrics = Metric.ACCURACY"));
    return layers;
  }

  private List<Layer> cnn() {
    int side = 8 + random.nextInt(12);
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("image", "Input", "shape", "{" + side + ", " + side + ", "
        + (1 + random.nextInt(3)) + "}"));
    layers.add(new Layer("conv1", "Conv2D", "filters", Integer.toString(1 + random.nextInt(8)),
        "kernelSize", Integer.toString(1 + random.nextInt(3)), "activation", "Activation.RELU",
        "padding", "Padding." + pick(List.of("VALID", "SAME"))).reads("image"));
    layers.add(new Layer("pool1", pick(List.of("MaxPooling2D", "AveragePooling2D"))).reads("conv1"));
    layers.add(new Layer("norm", "BatchNormalization").reads("pool1"));
    layers.add(new Layer("flat", "Flatten").reads("norm"));
    layers.add(new Layer("drop", "Dropout", "rate", "0.25").reads("flat"));
    layers.add(new Layer("output", "Dense", "units", "10", "activation", "Activation.SOFTMAX")
        .reads("drop").output("loss = Loss.CATEGORICAL_CROSSENTROPY"));
    return layers;
  }

  private List<Layer> twoInputs() {
    int width = 2 + random.nextInt(10);
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("left", "Input", "shape", Integer.toString(width)));
    layers.add(new Layer("right", "Input", "shape", Integer.toString(width)));
    layers.add(new Layer("encodeLeft", "Dense", "units", "4", "activation", "Activation.RELU")
        .reads("left"));
    Layer encodeRight = new Layer("encodeRight", "Dense", "units", "4", "activation",
        "Activation.RELU").reads("right");
    if (random.nextBoolean()) {
      encodeRight.sharedWith = "encodeLeft";
    }
    layers.add(encodeRight);
    layers.add(new Layer("merged", "Concatenate").reads("encodeLeft", "encodeRight"));
    layers.add(new Layer("yes", "Dense", "units", "1", "activation", "Activation.SIGMOID")
        .reads("merged").output("loss = Loss.BINARY_CROSSENTROPY"));
    layers.add(new Layer("score", "Dense", "units", "1").reads("merged")
        .output("loss = Loss.MSE, weight = 0.5"));
    return layers;
  }

  private List<Layer> encoderDecoder() {
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("image", "Input", "shape", "{8, 8, 1}"));
    layers.add(new Layer("down", "Conv2D", "filters", "2", "kernelSize", "3", "padding",
        "Padding.SAME").reads("image"));
    layers.add(new Layer("pooled", "MaxPooling2D").reads("down"));
    layers.add(new Layer("up", pick(List.of("UpSampling2D", "Conv2DTranspose"))).reads("pooled"));
    if (layers.get(3).kind.equals("Conv2DTranspose")) {
      layers.get(3).attributes.putAll(Map.of("filters", "2", "kernelSize", "2", "strides", "2"));
    }
    layers.add(new Layer("padded", "ZeroPadding2D").reads("up"));
    layers.add(new Layer("cropped", "Cropping2D").reads("padded"));
    layers.add(new Layer("sum", pick(List.of("Add", "Multiply"))).reads("cropped", "down"));
    layers.add(new Layer("merged", "Concatenate").reads("sum", "down"));
    layers.add(new Layer("mask", "Conv2D", "filters", "1", "kernelSize", "1", "activation",
        "Activation.SIGMOID").reads("merged").output("loss = Loss.BINARY_CROSSENTROPY"));
    layers.add(new Layer("pooledAll", "GlobalAveragePooling2D").reads("merged"));
    layers.add(new Layer("count", "Dense", "units", "1").reads("pooledAll")
        .output("loss = Loss.MAE, weight = 0.2"));
    return layers;
  }

  private List<Layer> perStep() {
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("steps", "Input", "shape", "{" + (2 + random.nextInt(6)) + ", "
        + (1 + random.nextInt(6)) + "}"));
    Layer each = new Layer("each", "Dense", "units", "3", "activation", "Activation.TANH")
        .reads("steps");
    each.wrapper = "TimeDistributed";
    layers.add(each);
    layers.add(new Layer("flat", "Flatten").reads("each"));
    layers.add(new Layer("output", "Dense", "units", "2").reads("flat").output("loss = Loss.MSE"));
    return layers;
  }

  private List<Layer> sequence() {
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("steps", "Input", "shape", "{" + pick(List.of("-1", "5", "9")) + ", 3}"));
    layers.add(new Layer("lstm", "LSTM", "units", "4", "returnSequences", "true").reads("steps"));
    layers.add(new Layer("gru", "GRU", "units", "3").reads("lstm"));
    layers.add(new Layer("output", "Dense", "units", "3", "activation", "Activation.SOFTMAX")
        .reads("gru").output("loss = Loss.CATEGORICAL_CROSSENTROPY"));
    return layers;
  }

  private List<Layer> tokens() {
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("tokens", "Input", "shape", pick(List.of("-1", "12")), "dtype",
        "DType.INT32"));
    layers.add(new Layer("embedded", "Embedding", "inputDim", "50", "outputDim", "4")
        .reads("tokens"));
    Layer rnn = new Layer("encoded", "SimpleRNN", "units", "4").reads("embedded");
    if (random.nextBoolean()) {
      rnn.wrapper = "Bidirectional";
    }
    layers.add(rnn);
    layers.add(new Layer("positive", "Dense", "units", "1", "activation", "Activation.SIGMOID")
        .reads("encoded").output("loss = Loss.BINARY_CROSSENTROPY, metrics = Metric.ACCURACY"));
    return layers;
  }

  // ---- mutations ----

  private void mutate(List<Layer> layers) {
    Layer layer = pick(layers);
    switch (random.nextInt(14)) {
      case 0 -> { // read another layer, perhaps a later one (a cycle) or itself
        if (!layer.reads.isEmpty()) {
          layer.reads.set(random.nextInt(layer.reads.size()), pick(layers).name);
        }
      }
      case 1 -> { // misspell a reference
        if (!layer.reads.isEmpty()) {
          int index = random.nextInt(layer.reads.size());
          layer.reads.set(index, typo(layer.reads.get(index)));
        }
      }
      case 2 -> { // an earlier layer reads a later one
        int from = random.nextInt(layers.size());
        int to = from + random.nextInt(layers.size() - from);
        if (!layers.get(from).reads.isEmpty()) {
          layers.get(from).reads.set(0, layers.get(to).name);
        }
      }
      case 3, 4 -> setAttribute(layer);
      case 5 -> { // swap the attributes, or the kinds, of two layers
        Layer other = pick(layers);
        if (random.nextBoolean()) {
          Map<String, String> attributes = new LinkedHashMap<>(layer.attributes);
          String kind = layer.kind;
          move(other.attributes, other.kind, layer, layer.kind);
          move(attributes, kind, other, other.kind);
        } else {
          String kind = layer.kind;
          move(new LinkedHashMap<>(layer.attributes), kind, layer, other.kind);
          move(new LinkedHashMap<>(other.attributes), other.kind, other, kind);
        }
      }
      case 6 -> { // a random input shape
        Layer input = layers.stream().filter(l -> "Input".equals(l.kind)).findFirst().orElse(layer);
        input.kind = "Input";
        input.attributes.clear();
        input.attributes.put("shape", randomInts(1 + random.nextInt(4), true));
        input.wrapper = null;
        input.reads.clear();
      }
      case 7 -> { // another kind of layer
        layer.kind = pick(kinds());
        layer.attributes.clear();
        complete(layer);
      }
      case 8 -> { // one input more or less
        if (random.nextBoolean() && !layer.reads.isEmpty()) {
          layer.reads.remove(random.nextInt(layer.reads.size()));
        } else {
          layer.reads.add(pick(layers).name);
        }
      }
      case 9 -> { // an output added, moved or changed
        layer.output = random.nextInt(4) == 0 ? null : randomOutput();
        if (!layer.attributes.containsKey("activation") && KINDS.containsKey(layer.kind)
            && KINDS.get(layer.kind).containsKey("activation")) {
          layer.attributes.put("activation", "Activation." + pick(ACTIVATIONS));
        }
      }
      case 10 -> layer.wrapper = random.nextInt(3) == 0 ? null
          : pick(List.of("TimeDistributed", "Bidirectional"));
      case 11 -> layer.sharedWith = random.nextInt(3) == 0 ? null
          : random.nextInt(4) == 0 ? typo(pick(layers).name) : pick(layers).name;
      case 12 -> rename(layer, layers);
      default -> { // no layer annotation, or two
        if (random.nextBoolean()) {
          layer.kind = null;
        } else {
          if (layer.kind == null) {
            layer.kind = "Flatten";
            layer.attributes.clear();
          }
          layer.secondKind = "Dropout(rate = 0.5)";
        }
      }
    }
  }

  /**
   * Renames methods whose name and parameter count repeat an earlier method's, which Java does
   * not allow (every parameter is a Tensor), and avoids repeating a layer annotation; one
   * mutation can undo what another made legal.
   */
  private static void legalize(List<Layer> layers) {
    Set<String> signatures = new HashSet<>();
    for (Layer layer : layers) {
      // Layer annotations are not repeatable: the second must differ from the first.
      if (layer.secondKind != null && layer.secondKind.startsWith(layer.kind + "(")) {
        layer.secondKind = "Flatten";
      }
      if (layer.secondKind != null && layer.secondKind.equals(layer.kind)) {
        layer.secondKind = "Dropout(rate = 0.5)";
      }
      String name = layer.name;
      for (int n = 2; !signatures.add(layer.name + "/" + layer.reads.size()); n++) {
        layer.name = name + n;
      }
    }
  }

  private List<String> kinds() {
    return new ArrayList<>(KINDS.keySet());
  }

  /** Sets one attribute of the layer's kind to a random value, plausible or not. */
  private void setAttribute(Layer layer) {
    if (layer.kind == null || KINDS.get(layer.kind).isEmpty()) {
      return;
    }
    Map<String, Type> types = KINDS.get(layer.kind);
    String attribute = pick(new ArrayList<>(types.keySet()));
    layer.attributes.put(attribute, value(types.get(attribute)));
  }

  /**
   * Gives {@code layer} the kind {@code kind} and, of {@code attributes} (written for a layer of
   * kind {@code from}), those the kind has with the same Java type.
   */
  private void move(Map<String, String> attributes, String from, Layer layer, String kind) {
    layer.kind = kind;
    layer.attributes.clear();
    if (kind != null && from != null) {
      attributes.forEach((attribute, value) -> {
        Type before = KINDS.get(from).get(attribute);
        Type after = KINDS.get(kind).get(attribute);
        if (before != null && after != null && javaType(after).equals(javaType(before))) {
          layer.attributes.put(attribute, value);
        }
      });
    }
    complete(layer);
  }

  private static String javaType(Type type) {
    return type == Type.AXIS ? Type.INT.name() : type.name();
  }

  /** Adds the required attributes the layer's kind lacks, and drops what it does not have. */
  private void complete(Layer layer) {
    if (layer.kind == null) {
      return;
    }
    Map<String, Type> types = KINDS.get(layer.kind);
    layer.attributes.keySet().removeIf(attribute -> !types.containsKey(attribute));
    List<String> names = new ArrayList<>(types.keySet());
    for (int i = 0; i < REQUIRED.get(layer.kind); i++) {
      layer.attributes.putIfAbsent(names.get(i), value(types.get(names.get(i))));
    }
  }

  /** Renames a layer; to another layer's name only where Java allows it (another arity). */
  private void rename(Layer layer, List<Layer> layers) {
    Layer other = pick(layers);
    boolean overload = other != layer && other.reads.size() != layer.reads.size()
        && layers.stream().noneMatch(l -> l != layer && l.name.equals(other.name)
            && l.reads.size() == layer.reads.size());
    String name = overload ? other.name : pick(NAMES) + random.nextInt(3);
    if (layers.stream().noneMatch(l -> l.name.equals(name) && l.reads.size() == layer.reads.size())) {
      layer.name = name;
    }
  }

  private String value(Type type) {
    return switch (type) {
      case INT -> Integer.toString(randomInt());
      case AXIS -> Integer.toString(pick(List.of(-1, -1, 0, 1, 2, 3, -2)));
      case INTS -> randomInts(random.nextInt(8) == 0 ? random.nextInt(5) : 1 + random.nextInt(2),
          false);
      case DOUBLE -> pick(List.of("0.0", "0.1", "0.5", "0.99", "1.0", "-0.5", "1.5", "1e-3",
          "Double.NaN", "Double.POSITIVE_INFINITY"));
      case BOOL -> Boolean.toString(random.nextBoolean());
      case ACTIVATION -> "Activation." + pick(ACTIVATIONS);
      case PADDING -> "Padding." + pick(List.of("VALID", "SAME", "CAUSAL"));
      case DTYPE -> "DType." + pick(List.of("FLOAT32", "INT32"));
    };
  }

  /** Mostly small positive sizes, sometimes zero, negative or huge. */
  private int randomInt() {
    return random.nextInt(6) == 0
        ? pick(List.of(0, -1, -2, 100_000, 65_536, Integer.MAX_VALUE))
        : pick(List.of(1, 2, 3, 4, 5, 8, 16));
  }

  private String randomInts(int count, boolean shape) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      values.add(Integer.toString(shape && random.nextInt(6) == 0 ? -1 : randomInt()));
    }
    return "{" + String.join(", ", values) + "}";
  }

  private String randomOutput() {
    StringBuilder output = new StringBuilder("loss = Loss." + pick(LOSSES));
    if (random.nextBoolean()) {
      output.append(", metrics = Metric.").append(pick(METRICS));
    }
    if (random.nextInt(4) == 0) {
      output.append(", weight = ").append(pick(List.of("0.5", "0", "-1", "2.0")));
    }
    return output.toString();
  }

  private String typo(String name) {
    if (name.length() < 2 || random.nextBoolean()) {
      return name + pick(List.of("s", "1", "X"));
    }
    int at = random.nextInt(name.length());
    String typo = name.substring(0, at) + name.substring(at + 1);
    return SourceVersion.isName(typo) ? typo : typo + "X";
  }

  private <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  // ---- Java ----

  /** The interface: every reference as a parameter name, or with @From where Java needs it. */
  static String render(String pkg, String name, List<Layer> layers) {
    StringBuilder java = new StringBuilder();
    java.append("package ").append(pkg).append(";\n\n");
    java.append("import dev.kiln.*;\n\n");
    java.append("@Model interface ").append(name).append(" {\n");
    for (Layer layer : layers) {
      java.append("  ");
      if (layer.output != null) {
        java.append("@Output(").append(layer.output).append(") ");
      }
      if (layer.sharedWith != null) {
        java.append("@SameWeightsAs(\"").append(layer.sharedWith).append("\") ");
      }
      if (layer.wrapper != null) {
        java.append('@').append(layer.wrapper).append(' ');
      }
      if (layer.secondKind != null) {
        java.append('@').append(layer.secondKind).append(' ');
      }
      if (layer.kind != null) {
        java.append('@').append(layer.kind);
        if (!layer.attributes.isEmpty()) {
          List<String> values = new ArrayList<>();
          layer.attributes.forEach((attribute, value) -> values.add(attribute + " = " + value));
          java.append('(').append(String.join(", ", values)).append(')');
        }
        java.append(' ');
      }
      java.append("Tensor ").append(layer.name).append('(');
      Set<String> parameters = new HashSet<>();
      List<String> declared = new ArrayList<>();
      for (int i = 0; i < layer.reads.size(); i++) {
        String read = layer.reads.get(i);
        declared.add(parameters.add(read) ? "Tensor " + read
            : "@From(\"" + read + "\") Tensor from" + i);
      }
      java.append(String.join(", ", declared)).append(");\n");
    }
    return java.append("}\n").toString();
  }
}
