package dev.kiln.processor.shape;

import dev.kiln.processor.parse.ModelDecl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A checked model: its layers in execution (and summary) order with shapes and parameters. */
public final class Network {

  private final ModelDecl model;
  private final List<Node> nodes;
  private final Map<String, Node> byName = new LinkedHashMap<>();

  public Network(ModelDecl model, List<Node> nodes) {
    this.model = model;
    this.nodes = List.copyOf(nodes);
    nodes.forEach(node -> byName.put(node.name(), node));
  }

  public ModelDecl model() {
    return model;
  }

  /** Every layer, inputs first: each after the layers it reads. */
  public List<Node> nodes() {
    return nodes;
  }

  public Node node(String name) {
    return byName.get(name);
  }

  /** The inputs in declaration order, which is the order of predict's parameters. */
  public List<Node> inputs() {
    return inDeclarationOrder(true);
  }

  /** The outputs in declaration order. */
  public List<Node> outputs() {
    return inDeclarationOrder(false);
  }

  /** The layers reading {@code name}'s output, once per reading parameter, in execution order. */
  public List<Node> consumers(String name) {
    List<Node> consumers = new ArrayList<>();
    for (Node node : nodes) {
      for (String input : node.inputs()) {
        if (input.equals(name)) {
          consumers.add(node);
        }
      }
    }
    return consumers;
  }

  public long paramCount() {
    return nodes.stream().mapToLong(Node::paramCount).sum();
  }

  public long trainableCount() {
    return nodes.stream().mapToLong(Node::trainableCount).sum();
  }

  /** The layers using {@code owner}'s weights, the owner included, in execution order. */
  public List<Node> weightUsers(String owner) {
    return nodes.stream().filter(node -> node.weightsOwner().equals(owner)).toList();
  }

  private List<Node> inDeclarationOrder(boolean inputs) {
    List<Node> selected = new ArrayList<>();
    model.layers().forEach(layer -> {
      Node node = byName.get(layer.name());
      // A second method of the same name (an error) is no node of the network.
      if (node != null && node.decl() == layer
          && (inputs ? layer.kind().isInput() : layer.isOutput())) {
        selected.add(node);
      }
    });
    return selected;
  }
}
