package dev.kiln.processor.check;

import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.layers.Words;
import dev.kiln.processor.parse.LayerDecl;

/** Checks that each layer has as many parameters as its kind takes inputs. */
final class ArityValidator {

  private ArityValidator() {}

  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    for (LayerDecl layer : graph.model().layers()) {
      int count = layer.inputs().size();
      if (!layer.kind().arity().allows(count)) {
        report.error(
            Tag.ARITY,
            layer.name() + " is " + Words.aLayer(layer.kind()) + ", which takes "
                + layer.kind().arity().describe() + ", but its method has " + count
                + (count == 1 ? " parameter" : " parameters") + "; " + fix(layer, count),
            layer.site());
      }
    }
    return report.build();
  }

  private static String fix(LayerDecl layer, int count) {
    if (layer.kind().isInput()) {
      return "an input reads no layer, so remove the parameters";
    }
    if (count < layer.kind().arity().min()) {
      return count == 0
          ? "add a parameter named after the layer it reads"
          : "add parameters named after the layers it reads";
    }
    if (layer.kind().arity().min() == 2) {
      // Subtract and Dot: a pair, in order.
      return "pass exactly two tensors, in order; combine any others first, for example with @Add";
    }
    return "read one tensor per layer, and join several first with @Concatenate or @Add";
  }
}
