package dev.kiln.processor.shape;

import dev.kiln.processor.parse.ModelDecl;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A checked model: its layers in execution (and summary) order with shapes and parameters. */
public final class Network {

  private final ModelDecl model;
  private final List<Node> nodes;
  private final Map<String, Node> byName = new LinkedHashMap<>();
  // Indexes built once, so that asking about every layer stays linear in the layers.
  private final Map<String, List<Node>> consumers = new HashMap<>();
  private final Map<String, List<Node>> weightUsers = new HashMap<>();
  private final List<Node> inputs;
  private final List<Node> outputs;

  public Network(ModelDecl model, List<Node> nodes) {
    this.model = model;
    this.nodes = List.copyOf(nodes);
    nodes.forEach(node -> byName.put(node.name(), node));
    for (Node node : nodes) {
      for (String input : node.inputs()) {
        consumers.computeIfAbsent(input, name -> new ArrayList<>()).add(node);
      }
      weightUsers.computeIfAbsent(node.weightsOwner(), name -> new ArrayList<>()).add(node);
    }
    this.inputs = inDeclarationOrder(true);
    this.outputs = inDeclarationOrder(false);
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
    return inputs;
  }

  /** The outputs in declaration order. */
  public List<Node> outputs() {
    return outputs;
  }

  /** The layers reading {@code name}'s output, once per reading parameter, in execution order. */
  public List<Node> consumers(String name) {
    return Collections.unmodifiableList(consumers.getOrDefault(name, List.of()));
  }

  public long paramCount() {
    return nodes.stream().mapToLong(Node::paramCount).sum();
  }

  public long trainableCount() {
    return nodes.stream().mapToLong(Node::trainableCount).sum();
  }

  /** The layers using {@code owner}'s weights, the owner included, in execution order. */
  public List<Node> weightUsers(String owner) {
    return Collections.unmodifiableList(weightUsers.getOrDefault(owner, List.of()));
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
    return List.copyOf(selected);
  }
}
