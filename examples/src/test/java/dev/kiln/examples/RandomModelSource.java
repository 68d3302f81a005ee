package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.VARIABLE;

import dev.kiln.examples.RandomValidModels.Layer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** A generated model as Java source, and the features it has, for coverage counts. */
final class RandomModelSource {

  private final RandomValidModels generator;
  private final long seed;

  /** Layers written as a block and applied in their place, or null. */
  private final RandomBlock block;

  RandomModelSource(RandomValidModels generator, long seed, RandomBlock block) {
    this.generator = generator;
    this.seed = seed;
    this.block = block;
  }

  String render(String pkg, String name) {
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
    for (Layer layer : generator.layers()) {
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

  static final List<String> OPTIMIZERS =
      List.of("SGD", "ADAM", "RMSPROP", "ADAGRAD", "ADAMW", "ADAMAX", "NADAM", "LION");

  private String modelAnnotation() {
    List<String> attributes = new ArrayList<>();
    String optimizer = generator.chance(0.7) ? generator.pick(OPTIMIZERS) : "RMSPROP";
    if (!optimizer.equals("RMSPROP") || generator.chance(0.3)) {
      attributes.add("optimizer = " + optimizer);
    }
    // A schedule replaces the fixed rate; every schedule drawn starts above 0, so a first step
    // moves what has a gradient.
    String schedule =
        generator.chance(0.3)
            ? generator.pick(
                List.of(
                    "@ExponentialDecay(initialLearningRate = 0.05, decaySteps = 3, decayRate ="
                        + " 0.5)",
                    "@PiecewiseConstantDecay(boundaries = {1, 3}, values = {0.05, 0.01, 0.001})",
                    "@CosineDecay(initialLearningRate = 0.001, warmupTarget = 0.05, warmupSteps ="
                        + " 2, decaySteps = 5)",
                    "@PolynomialDecay(initialLearningRate = 0.05, decaySteps = 4, power = 2)"))
            : null;
    if (schedule == null && generator.chance(0.4)) {
      attributes.add("learningRate = " + generator.pick(List.of("0.01", "0.1", "0.001")));
    }
    if (optimizer.equals("SGD") && generator.chance(0.5)) {
      attributes.add("momentum = 0.9");
      if (generator.chance(0.5)) {
        attributes.add("nesterov = true");
      }
    }
    if (generator.chance(0.3)) {
      attributes.add("weightDecay = " + generator.pick(List.of("0.01", "0.1")));
      if (generator.chance(0.5)) {
        attributes.add("decayBiasesAndNorms = false");
      }
    }
    if (generator.chance(0.3)) {
      attributes.add(
          generator.pick(List.of("clipNorm", "globalClipNorm", "clipValue"))
              + " = "
              + generator.pick(List.of("0.1", "1.0")));
    }
    String model =
        attributes.isEmpty() ? "@Model" : "@Model(" + String.join(", ", attributes) + ")";
    return schedule == null ? model : schedule + "\n" + model;
  }

  /**
   * Sometimes a regularizer of the layer's output (any layer), of its kernel and bias (a layer that
   * owns a kernel), or a kernel constraint.
   */
  private void weightRules(StringBuilder source, String annotation) {
    boolean ownsKernel = annotation.matches("@(Dense|Conv1D|Conv2D|Conv2DTranspose)\\(.*");
    List<String> factors = new ArrayList<>();
    if (ownsKernel && generator.chance(0.2)) {
      factors.add(
          generator.pick(List.of("kernelL1", "kernelL2"))
              + " = "
              + generator.pick(List.of("0.01", "0.1")));
      if (!annotation.contains("useBias = false") && generator.chance(0.5)) {
        factors.add("biasL2 = 0.05");
      }
    }
    if (generator.chance(0.15)) {
      factors.add(
          generator.pick(
              List.of(
                  "activityL1 = 0.01",
                  "activityL2 = 0.02",
                  "activityL1 = 0.005, activityL2 = 0.01")));
    }
    if (!factors.isEmpty()) {
      source.append("  @Regularizers(").append(String.join(", ", factors)).append(")\n");
    }
    if (!ownsKernel) {
      return;
    }
    if (generator.chance(0.1)) {
      source
          .append("  @KernelConstraint(")
          .append(
              generator.pick(
                  List.of(
                      "value = Constraint.MAX_NORM, maxValue = 1.5",
                      "Constraint.NON_NEG",
                      "Constraint.UNIT_NORM")))
          .append(")\n");
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

  Set<String> features(String source) {
    Set<String> features = new TreeSet<>();
    List<Layer> inputs = generator.layers().stream().filter(Layer::isInput).toList();
    List<Layer> outputs =
        generator.layers().stream().filter(layer -> layer.output != null).toList();
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
        generator.layers().stream().anyMatch(layer -> layer.sharesWeightsOf != null),
        "shared weights");
    mark(features, generator.layers().stream().anyMatch(layer -> layer.frozen), "frozen");
    if (block != null) {
      block.markFeatures(features);
    }
    mark(features, generator.layers().stream().anyMatch(layer -> layer.reads.size() > 1), "merge");
    mark(
        features,
        generator.layers().stream()
            .anyMatch(layer -> !layer.isInput()
                && layer.kind.family().equals("LayerNormalization")
                && !layer.reads.get(0).isInput()
                && layer.reads.get(0).kind.family().equals("Add")
                && layer.reads.get(0).reads.size() == 2
                && layer.reads.get(0).readers == 1
                && layer.reads.get(0).output == null),
        "add and norm");
    mark(
        features,
        generator.layers().stream()
            .anyMatch(layer -> layer.reads.size() > new HashSet<>(layer.reads).size()),
        "one tensor read twice by a layer");
    mark(
        features,
        generator.layers().stream()
            .anyMatch(
                layer ->
                    generator.layers().stream()
                            .filter(reader -> reader.reads.contains(layer))
                            .count()
                        > 1),
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
    for (String option :
        List.of(
            "momentum",
            "weightDecay",
            "clipNorm",
            "globalClipNorm",
            "clipValue",
            "@Regularizers",
            "activityL",
            "huberDelta",
            "@KernelConstraint",
            "@ExponentialDecay",
            "@PiecewiseConstantDecay",
            "@CosineDecay",
            "@PolynomialDecay")) {
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
}
