package dev.kiln.processor.graph;

import dev.kiln.processor.check.Report;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds cycles among layers and reports each once, with its whole path in the direction data
 * flows, starting at the layer where a walk in declaration order enters it.
 */
final class Cycles {

  private Cycles() {}

  /** Reports every cycle; returns whether there was one. */
  static boolean report(List<LayerDecl> layers, Map<String, LayerDecl> byName, Report report) {
    Set<String> done = new HashSet<>();
    Set<Set<String>> reported = new HashSet<>();
    for (LayerDecl layer : layers) {
      visit(layer, byName, new ArrayList<>(), done, reported, report);
    }
    return !reported.isEmpty();
  }

  /** Depth-first along the references (from a layer to the layers it reads). */
  private static void visit(
      LayerDecl layer,
      Map<String, LayerDecl> byName,
      List<LayerDecl> path,
      Set<String> done,
      Set<Set<String>> reported,
      Report report) {
    if (done.contains(layer.name())) {
      return;
    }
    int onPath = indexOf(path, layer.name());
    if (onPath >= 0) {
      List<LayerDecl> cycle = path.subList(onPath, path.size());
      if (reported.add(new TreeSet<>(cycle.stream().map(LayerDecl::name).toList()))) {
        report(cycle, report);
      }
      return;
    }
    path.add(layer);
    for (InputRef input : layer.inputs()) {
      visit(byName.get(input.layer()), byName, path, done, reported, report);
    }
    path.remove(path.size() - 1);
    done.add(layer.name());
  }

  /**
   * {@code cycle} lists layers each reading the next; data flows the other way, so the message
   * walks it backwards: the entry layer, then what reads it, and so on back to the entry.
   */
  private static void report(List<LayerDecl> cycle, Report report) {
    LayerDecl entry = cycle.get(0);
    StringBuilder flow = new StringBuilder(entry.name());
    for (int i = cycle.size() - 1; i >= 0; i--) {
      flow.append(" -> ").append(cycle.get(i).name());
    }
    report.error(
        "Cycle",
        "layers form a cycle: " + flow + "; a model is a directed acyclic graph, so one of these"
            + " layers must read from an earlier layer instead",
        entry.method(),
        entry.attributes().mirror());
  }

  private static int indexOf(List<LayerDecl> path, String name) {
    for (int i = 0; i < path.size(); i++) {
      if (path.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
