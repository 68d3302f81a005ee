package dev.kiln.processor.check;

import dev.kiln.processor.graph.Cycles;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.parse.MethodDecl;
import java.util.List;
import java.util.Locale;

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
          : "layers form a cycle: " + path(cycle) + "; a model is a directed"
              + " acyclic graph, so one of these layers must read from an earlier layer instead";
      // The path runs the way data flows: the entry reads the layer just before its return.
      report.error(Tag.CYCLE, message, site(entry, cycle.get(cycle.size() - 2)));
    }
    return report.build();
  }

  /** Layers shown at each end of a long cycle's path. */
  static final int SHOWN_AT_EACH_END = 6;

  /**
   * The path {@code a -> b -> ... -> a}; a long one keeps its first and last layers around the
   * count of those left out, so a message stays one readable line.
   */
  static String path(List<String> cycle) {
    if (cycle.size() <= 2 * SHOWN_AT_EACH_END + 1) {
      return String.join(" -> ", cycle);
    }
    int left = cycle.size() - 2 * SHOWN_AT_EACH_END;
    return String.join(" -> ", cycle.subList(0, SHOWN_AT_EACH_END))
        + String.format(Locale.ROOT, " -> ... (%,d more layers) -> ", left)
        + String.join(" -> ", cycle.subList(cycle.size() - SHOWN_AT_EACH_END, cycle.size()));
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
