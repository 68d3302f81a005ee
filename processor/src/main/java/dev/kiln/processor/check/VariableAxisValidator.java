package dev.kiln.processor.check;

import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.List;

/**
 * Checks where lengths vary. Kiln sizes its buffers per batch with one sequence length for the
 * whole model, so a variable length (-1) may only be the steps axis of a sequence: the first
 * axis of a tensor of rank one or two. Inputs are checked with their attributes; this finds
 * the layers that move a variable length elsewhere, reported where it first happens.
 */
final class VariableAxisValidator {

  private VariableAxisValidator() {}

  static Report validate(Network network) {
    Report.Builder report = Report.about(network.model().type());
    for (Node node : network.nodes()) {
      if (!node.decl().kind().isInput() && unsupported(node.shape())
          && node.inputShapes().stream().noneMatch(VariableAxisValidator::unsupported)) {
        report.error(
            Tag.UNSUPPORTED,
            node.name() + " has shape " + node.shape().withBatch() + ", but Kiln supports a"
                + " variable length (None) only on the steps axis of a sequence (steps, features);"
                + " give the input's other axes a size, or keep this layer's output a sequence",
            node.decl().site());
      }
    }
    return report.build();
  }

  private static boolean unsupported(Shape shape) {
    List<Integer> dims = shape.dims();
    boolean elsewhere = dims.size() > 1 && dims.subList(1, dims.size()).contains(Shape.VARIABLE);
    return elsewhere || (dims.size() > 2 && dims.get(0) == Shape.VARIABLE);
  }
}
