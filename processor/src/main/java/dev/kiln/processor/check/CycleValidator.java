package dev.kiln.processor.check;

import dev.kiln.processor.graph.Cycles;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.MethodDecl;
import java.util.List;

/**
 * Reports each cycle once, with its whole path, on the layer where it is entered: a model is a
 * directed acyclic graph.
 */
final class CycleValidator {

  private CycleValidator() {}

  static Report validate(LayerGraph graph) {
    Report.Builder report = Report.about(graph.model().type());
    for (List<String> cycle : Cycles.of(graph)) {
      MethodDecl entry = graph.method(cycle.get(0));
      String message = cycle.size() == 2
          ? entry.name() + " reads from itself; a model is a directed acyclic graph, so read"
              + " from an earlier layer instead"
          : "layers form a cycle: " + String.join(" -> ", cycle) + "; a model is a directed"
              + " acyclic graph, so one of these layers must read from an earlier layer instead";
      report.error(Tag.CYCLE, message,
          entry instanceof LayerDecl layer ? layer.site() : Site.of(entry.method()));
    }
    return report.build();
  }
}
