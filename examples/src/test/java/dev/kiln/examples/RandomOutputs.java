package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.isFixed;
import static dev.kiln.examples.FuzzShapes.last;
import static dev.kiln.examples.FuzzShapes.withLast;

import dev.kiln.examples.RandomValidModels.Kind;
import dev.kiln.examples.RandomValidModels.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * The generated model's outputs: layers read by others marked as outputs too, and a head fit for
 * its loss on every layer nothing reads.
 */
final class RandomOutputs {

  private final RandomValidModels generator;

  RandomOutputs(RandomValidModels generator) {
    this.generator = generator;
  }

  /** Marks a layer that other layers read as an output too, with a loss that allows readers. */
  boolean intermediateOutput() {
    List<Layer> candidates =
        generator.layers().stream()
            .filter(layer -> !layer.isInput() && layer.output == null && layer.readers > 0)
            .toList();
    if (candidates.isEmpty()) {
      return false;
    }
    Layer layer = generator.pick(candidates);
    String activation = layer.kind.activation();
    boolean logits = activation.equals("LINEAR") && last(layer.shape) > 1 && generator.chance(0.4);
    layer.output =
        logits
            ? output(
                generator.pick(
                    List.of(
                        "CATEGORICAL_CROSSENTROPY",
                        "SPARSE_CATEGORICAL_CROSSENTROPY",
                        "BINARY_CROSSENTROPY")),
                true)
            : output(generator.pick(List.of("MSE", "MAE", "HUBER")), false);
    return true;
  }

  /**
   * Every layer nothing reads becomes an output, through a head layer fit for its loss, or as it
   * is.
   */
  void closeSinks() {
    for (Layer sink : List.copyOf(generator.layers())) {
      if (sink.readers == 0 && !sink.isInput() && sink.output == null) {
        head(sink);
      }
    }
  }

  private void head(Layer sink) {
    String loss =
        generator.pick(
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
    boolean logits = crossEntropy && generator.chance(0.4);
    // As it is: a regression on any output, a cross-entropy where the activation already fits.
    if (!crossEntropy && generator.chance(0.4)
        || crossEntropy
            && !logits
            && sink.kind.activation().equals(probabilities)
            && (binary || last(sink.shape) > 1)) {
      sink.output = output(loss, false);
      return;
    }
    String activation =
        !crossEntropy
            ? generator.pick(RandomValidModels.ACTIVATIONS)
            : !logits
                ? probabilities
                : generator.chance(0.9)
                    ? "LINEAR"
                    : probabilities; // raw scores squashed twice: Kiln warns, as Keras stays silent
    int classes = binary || !crossEntropy ? generator.between(1, 4) : generator.between(2, 4);
    int rank = sink.shape.length;
    Kind head;
    int choice = generator.nextInt(10);
    if (choice < 2 && rank == 3 && isFixed(sink.shape)) {
      int kernel = generator.pick(List.of(1, 3));
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
              in ->
                  RandomImageKinds.convolutionWeights(kernel * kernel, in.get(0)[2], classes, true),
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
    } else {
      Kind dense = denseHead(classes, activation);
      head = choice < 6 && rank >= 2 ? RandomValidModels.timeDistributed(dense) : dense;
    }
    Layer layer = generator.add(head, List.of(sink));
    if (layer == null) {
      sink.output = output("MSE", false);
      return;
    }
    layer.output = output(loss, logits);
  }

  /** A Dense of {@code classes} units with the head's activation. */
  private static Kind denseHead(int classes, String activation) {
    return new Kind(
        "@Dense(units = " + classes + activationAttribute(activation) + ")",
        "Dense",
        in -> withLast(in.get(0), classes),
        in -> List.of(new long[] {last(in.get(0)), classes}, new long[] {classes}),
        activation);
  }

  private static String activationAttribute(String activation) {
    return activation.equals("LINEAR") ? "" : ", activation = " + activation;
  }

  /** An {@code @Output} annotation with the loss, and sometimes a weight and fitting metrics. */
  String output(String loss, boolean logits) {
    List<String> attributes = new ArrayList<>();
    attributes.add("loss = " + loss);
    if (logits) {
      attributes.add("fromLogits = true");
    }
    if (loss.equals("HUBER") && generator.chance(0.5)) {
      attributes.add("huberDelta = " + generator.pick(List.of("0.25", "2.0")));
    }
    if (generator.chance(0.35)) {
      attributes.add("weight = " + generator.pick(List.of("0.5", "0.25", "2.0", "0.0")));
    }
    if (generator.chance(0.3)) {
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
      attributes.add("metrics = " + generator.pick(metrics));
    }
    return "@Output(" + String.join(", ", attributes) + ")";
  }
}
