package dev.kiln.processor.check;

import dev.kiln.processor.graph.Cycles;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.MethodDecl;
import java.util.List;

/**
 * Reports each cycle once, with its whole path, on the parameter by which the layer where it is
 * entered reads the next layer of the cycle: a model is a directed acyclic graph.
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
      // The path runs the way data flows: the entry reads the layer just before its return.
      report.error(Tag.CYCLE, message, site(entry, cycle.get(cycle.size() - 2)));
    }
    return report.build();
  }

  /** The parameter of {@code entry} that reads {@code previous}, else the layer. */
  private static Site site(MethodDecl entry, String previous) {
    for (InputRef input : entry.inputs()) {
      if (input.layer().equals(previous)) {
        return input.site();
      }
    }
    return entry instanceof LayerDecl layer ? layer.site() : Site.of(entry.method());
  }
}
