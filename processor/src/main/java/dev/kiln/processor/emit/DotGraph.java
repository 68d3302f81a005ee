package dev.kiln.processor.emit;

import dev.kiln.processor.parse.Application;
import dev.kiln.processor.shape.Network;
import dev.kiln.processor.shape.Node;

/**
 * The network as a Graphviz DOT graph: one box per layer with its type and shape, and a labelled
 * cluster around the layers of each application of a block.
 */
public final class DotGraph {

  private DotGraph() {}

  public static String render(Network network) {
    StringBuilder dot = new StringBuilder();
    dot.append("digraph ").append(network.model().name()).append(" {\n");
    dot.append("  rankdir=TB;\n");
    dot.append("  node [shape=record, fontname=\"Helvetica\"];\n");
    for (Node node : network.nodes()) {
      if (!network.model().isInsideApplication(node.name())) {
        box(dot, "  ", node);
      }
    }
    for (Application application : network.model().applications()) {
      if (application.parent() == null) {
        cluster(dot, "  ", network, application);
      }
    }
    for (Node node : network.nodes()) {
      for (String input : node.inputs()) {
        dot.append("  ").append(id(input)).append(" -> ").append(id(node.name())).append(";\n");
      }
    }
    dot.append("}\n");
    return dot.toString();
  }

  /** The application's layers, and its nested applications' clusters, in a labelled cluster. */
  private static void cluster(StringBuilder dot, String indent, Network network, Application application) {
    dot.append(indent).append("subgraph \"cluster_").append(application.name()).append("\" {\n");
    dot.append(indent).append("  label=\"").append(application.name()).append(" (")
        .append(application.typeName()).append(")\";\n");
    for (String member : application.members()) {
      Application nested = network.model().nested(application, member);
      if (nested != null) {
        cluster(dot, indent + "  ", network, nested);
      } else if (network.node(member) != null) {
        box(dot, indent + "  ", network.node(member));
      }
    }
    dot.append(indent).append("}\n");
  }

  private static void box(StringBuilder dot, String indent, Node node) {
    dot.append(indent)
        .append(id(node.name()))
        .append(" [label=\"{")
        .append(node.name())
        .append(": ")
        .append(node.decl().kind().kerasName())
        .append("|")
        .append(node.shape().withBatch())
        .append("}\"];\n");
  }

  /** A layer's DOT id: quoted when a block's path makes it more than an identifier. */
  private static String id(String name) {
    return name.contains("/") ? '"' + name + '"' : name;
  }
}
