package dev.kiln.examples;

import static dev.kiln.examples.FuzzShapes.isFixed;

import dev.kiln.examples.RandomValidModels.Kind;
import dev.kiln.examples.RandomValidModels.Layer;
import java.util.List;

/**
 * One construct Kiln documents as unsupported or Keras itself refuses, added to an otherwise valid
 * model; the test expects exactly this rejection.
 */
final class RandomRejections {

  private final RandomValidModels generator;

  RandomRejections(RandomValidModels generator) {
    this.generator = generator;
  }

  /**
   * Adds one such construct where the model has a place for it; its tag, or null if none fitted.
   */
  String rejectByDesign() {
    List<Layer> fused =
        generator.layers().stream()
            .filter(
                layer ->
                    layer.output != null
                        && !layer.output.contains("fromLogits")
                        && layer.output.contains("CROSSENTROPY"))
            .toList();
    List<Layer> sharing =
        generator.layers().stream().filter(layer -> layer.sharesWeightsOf != null).toList();
    List<Layer> images =
        generator.floats().stream()
            .filter(
                layer ->
                    layer.shape.length == 3
                        && isFixed(layer.shape)
                        && layer.shape[0] >= 5
                        && layer.shape[1] >= 5)
            .toList();
    int choice = generator.nextInt(3);
    if (choice == 0 && !fused.isEmpty()) {
      // The fused softmax (or sigmoid) gradient cannot take other readers' gradients.
      Layer reader = generator.add(generator.merges.fixedDense(2), List.of(generator.pick(fused)));
      if (reader != null) {
        reader.output = "@Output(loss = MSE)";
        return "Kiln/Unsupported";
      }
    } else if (choice == 1 && !sharing.isEmpty()) {
      // Freezing weights through a layer that only borrows them.
      generator.pick(sharing).frozen = true;
      return "Kiln/BadAttribute";
    } else if (choice == 2 && !images.isEmpty()) {
      // Keras refuses a window that is both strided and dilated.
      Kind both =
          new Kind(
              "@Conv2D(filters = 1, kernelSize = 2, strides = 2, dilationRate = 2)",
              "Conv2D",
              in -> new int[] {1, 1, 1},
              in -> List.of(),
              "LINEAR");
      Layer conv = generator.add(both, List.of(generator.pick(images)));
      if (conv != null) {
        conv.output = "@Output(loss = MSE)";
        return "Kiln/BadAttribute";
      }
    }
    return null;
  }
}
