package dev.kiln.processor.shape;

import dev.kiln.DType;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.layers.ParamDecl;
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
    Map<String, List<ParamDecl>> sharedParams = new java.util.LinkedHashMap<>();
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
      if (!readsProperTypes(layer, inputNames, nodes, report)) {
        complete = false;
        continue;
      }
      Context context = new Context(layer, inputNames, inputShapes, nodes, report);
      Shape shape = layer.kind().outputShape(context);
      if (shape == null) {
        complete = false;
        continue;
      }
      String owner = layer.weightsOf() == null ? layer.name() : layer.weightsOf();
      List<ParamDecl> params = layer.kind().parameters(layer, inputShapes);
      Node node =
          new Node(layer, inputNames, inputShapes, shape, owner.equals(layer.name()) ? params : List.of(), owner);
      nodes.put(layer.name(), node);
      ordered.add(node);
      if (!owner.equals(layer.name())) {
        sharedParams.put(layer.name(), params);
      }
    }
    if (!complete) {
      return Optional.empty();
    }
    sharedParams.forEach((name, params) -> checkSharedWeights(nodes.get(name), params, nodes, report));
    return Optional.of(new Network(graph.model(), ordered));
  }

  /** Token ids (integer inputs) may only be read by layers that look them up. */
  private static boolean readsProperTypes(
      LayerDecl layer, List<String> inputNames, Map<String, Node> nodes, Report report) {
    for (String name : inputNames) {
      LayerDecl input = nodes.get(name).decl();
      boolean tokenIds = input.kind().isInput()
          && input.attributes().enumValue("dtype", DType.class) == DType.INT32;
      if (tokenIds && !layer.kind().readsTokenIds()) {
        report.error(
            "DTypeMismatch",
            layer.name() + " reads " + name + ", which holds INT32 token ids; only an @Embedding"
                + " can read them. Embed them first, or declare " + name + " with dtype = FLOAT32",
            layer.method(),
            layer.attributes().mirror());
        return false;
      }
    }
    return true;
  }

  /** A layer using another's weights must need exactly the owner's parameter shapes. */
  private static void checkSharedWeights(
      Node user, List<ParamDecl> needed, Map<String, Node> nodes, Report report) {
    Node owner = nodes.get(user.weightsOwner());
    List<String> ownerShapes = owner.params().stream().map(p -> p.name() + " " + p.shape()).toList();
    List<String> neededShapes = needed.stream().map(p -> p.name() + " " + p.shape()).toList();
    if (!ownerShapes.equals(neededShapes)) {
      report.error(
          "SharedWeightsMismatch",
          user.name() + " uses the weights of " + owner.name() + ", which has " + ownerShapes
              + ", but with its own input " + user.inputShapes().get(0).withBatch() + " it needs "
              + neededShapes + "; shared weights need inputs with the same channels and the same"
              + " layer attributes that size them",
          user.decl().method(),
          user.decl().sharing().mirror(),
          user.decl().sharing().written("value"));
    }
  }

  private record Context(
      LayerDecl layer,
      List<String> inputNames,
      List<Shape> inputs,
      Map<String, Node> nodes,
      Report report)
      implements ShapeContext {

    @Override
    public List<Node> producers(int index) {
      List<Node> chain = new ArrayList<>();
      Node node = nodes.get(inputNames.get(index));
      chain.add(node);
      while (!node.inputs().isEmpty()) {
        node = nodes.get(node.inputs().get(0));
        chain.add(node);
      }
      return chain;
    }

    @Override
    public String describeInput(int index) {
      StringBuilder text = new StringBuilder(inputs.get(index).withBatch());
      text.append(" from ");
      List<Node> chain = producers(index);
      // A few producers back are enough to show where the shape comes from.
      int shown = Math.min(chain.size(), 4);
      for (int i = 0; i < shown; i++) {
        text.append(i == 0 ? "" : " <- ").append(chain.get(i).name());
      }
      if (shown < chain.size()) {
        text.append(" <- ...");
      }
      return text.toString();
    }

    @Override
    public void error(String message, String attribute) {
      report.error(
          "ShapeMismatch",
          message,
          layer.method(),
          layer.attributes().mirror(),
          attribute == null ? null : layer.attributes().written(attribute));
    }
  }
}
