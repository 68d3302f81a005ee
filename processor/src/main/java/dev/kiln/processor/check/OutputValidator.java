package dev.kiln.processor.check;

import dev.kiln.processor.graph.Cycles;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.MethodDecl;

/**
 * Checks the model's ends: it has an output, no input is one, and every layer feeds one. A layer
 * feeding no output is left out of the model (a warning); an input feeding none would still have
 * to be passed to every call (an error).
 */
final class OutputValidator {

  private OutputValidator() {}

  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    if (graph.model().methods().stream().noneMatch(MethodDecl::isOutput)) {
      report.error(
          Tag.NO_OUTPUT,
          graph.model().name() + " has no @Output, but a model needs at least one to predict"
              + " and train; mark the layer(s) it predicts with @Output(loss = ...)",
          graph.model().attributes().site());
      return report.build();
    }
    for (LayerDecl layer : graph.model().layers()) {
      if (layer.isOutput() && layer.kind().isInput()) {
        report.error(
            Tag.INPUT_AS_OUTPUT,
            "input " + layer.name() + " is marked @Output, but an output must be computed by a"
                + " layer; move @Output to the layer that predicts",
            layer.output().attributes().site());
      }
    }
    // A misspelt or circular reference leaves the layer it meant unread; its error says enough.
    if (graph.hasUnknownReferences() || !Cycles.of(graph).isEmpty()) {
      return report.build();
    }
    for (LayerDecl layer : graph.model().layers()) {
      if (graph.reachesOutput(layer.name()) || graph.layer(layer.name()) != layer) {
        continue;
      }
      if (layer.kind().isInput()) {
        report.error(
            Tag.DISCONNECTED,
            "input " + layer.name() + " reaches no @Output, but every input must be passed to"
                + " every call of the model; connect it to a layer, or remove it",
            layer.site());
      } else if (!layer.name().contains("/")) {
        // Inside an application only its own tensor is worth a word: a block's other outputs may
        // go unread, as a nested Keras model's may.
        report.warning(
            Tag.UNUSED,
            "layer " + layer.name() + " reaches no @Output and is left out of the model;"
                + " connect it to an output or remove it",
            layer.site());
      }
    }
    return report.build();
  }
}
