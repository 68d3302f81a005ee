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
          .append(id(node.name()))
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
        dot.append("  ").append(id(input)).append(" -> ").append(id(node.name())).append(";\n");
      }
    }
    dot.append("}\n");
    return dot.toString();
  }

  /** A layer's DOT id: quoted when a block's path makes it more than an identifier. */
  private static String id(String name) {
    return name.contains("/") ? '"' + name + '"' : name;
  }
}
