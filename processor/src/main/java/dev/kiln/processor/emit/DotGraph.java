package dev.kiln.processor.emit;

import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;

/** The network as a Graphviz DOT graph: one box per layer with its type and shape. */
public final class DotGraph {

  private DotGraph() {}

  public static String render(Network network) {
    StringBuilder dot = new StringBuilder();
    dot.append("digraph ").append(network.model().name()).append(" {\n");
    dot.append("  rankdir=TB;\n");
    dot.append("  node [shape=record, fontname=\"Helvetica\"];\n");
    for (Node node : network.nodes()) {
      dot.append("  ")
          .append(node.name())
          .append(" [label=\"{")
          .append(node.name())
          .append(": ")
          .append(node.decl().kind().kerasName())
          .append("|")
          .append(node.shape().withBatch())
          .append("}\"];\n");
    }
    for (Node node : network.nodes()) {
      for (String input : node.inputs()) {
        dot.append("  ").append(input).append(" -> ").append(node.name()).append(";\n");
      }
    }
    dot.append("}\n");
    return dot.toString();
  }
}
