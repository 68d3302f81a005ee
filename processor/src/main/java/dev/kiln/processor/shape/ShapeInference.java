package dev.kiln.processor.shape;

import dev.kiln.processor.check.Report;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.layers.ShapeContext;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Infers every layer's output shape in execution order, asking each layer kind for its rule.
 * A layer whose inputs have no shape (an earlier error) is skipped rather than reported again.
 */
public final class ShapeInference {

  private ShapeInference() {}

  public static Optional<Network> run(LayerGraph graph, Report report) {
    Map<String, Node> nodes = new HashMap<>();
    List<Node> ordered = new ArrayList<>();
    boolean complete = true;
    for (LayerDecl layer : graph.order()) {
      List<String> inputNames = layer.inputs().stream().map(InputRef::layer).toList();
      List<Shape> inputShapes = new ArrayList<>();
      for (String input : inputNames) {
        Node node = nodes.get(input);
        if (node == null) {
          break;
        }
        inputShapes.add(node.shape());
      }
      if (inputShapes.size() < inputNames.size()) {
        complete = false;
        continue;
      }
      Context context = new Context(layer, inputNames, inputShapes, nodes, report);
      Shape shape = layer.kind().outputShape(context);
      if (shape == null) {
        complete = false;
        continue;
      }
      Node node =
          new Node(layer, inputNames, inputShapes, shape, layer.kind().parameters(layer, inputShapes));
      nodes.put(layer.name(), node);
      ordered.add(node);
    }
    return complete ? Optional.of(new Network(graph.model(), ordered)) : Optional.empty();
  }

  private record Context(
      LayerDecl layer,
      List<String> inputNames,
      List<Shape> inputs,
      Map<String, Node> nodes,
      Report report)
      implements ShapeContext {

    @Override
    public String describeInput(int index) {
      StringBuilder text = new StringBuilder(inputs.get(index).withBatch());
      text.append(" from ");
      Node node = nodes.get(inputNames.get(index));
      text.append(node.name());
      // Follow single-input producers back a few steps so the origin of the shape is visible.
      for (int step = 0; step < 4 && node.inputs().size() == 1; step++) {
        node = nodes.get(node.inputs().get(0));
        text.append(" <- ").append(node.name());
      }
      if (node.inputs().size() == 1) {
        text.append(" <- ...");
      }
      return text.toString();
    }

    @Override
    public void error(String message, String attribute) {
      report.error(
          "ShapeMismatch",
          layer.name() + ": " + message,
          layer.method(),
          layer.attributes().mirror(),
          attribute == null ? null : layer.attributes().written(attribute));
    }
  }
}
