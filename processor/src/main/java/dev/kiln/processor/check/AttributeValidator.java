package dev.kiln.processor.check;

import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.OutputDecl;

/**
 * Checks attribute values that need no shapes: each layer kind's own (positive units, rates in
 * range, window sizes) and each output's loss weight.
 */
final class AttributeValidator {

  private AttributeValidator() {}

  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    for (LayerDecl layer : graph.model().layers()) {
      layer.kind().checkAttributes(layer, report);
      if (layer.isOutput()) {
        checkWeight(layer, layer.output(), report);
      }
    }
    return report.build();
  }

  private static void checkWeight(LayerDecl layer, OutputDecl output, Report.Builder report) {
    double weight = output.weight();
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "weight = " + weight + " on output " + layer.name() + ", but a loss weight scales the"
              + " output's share of the total loss and must be finite and not negative; use a"
              + " value such as 1.0 or 0.2",
          output.attributes().site("weight"));
    }
  }
}
