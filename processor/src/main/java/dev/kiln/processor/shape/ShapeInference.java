package dev.kiln.processor.shape;

import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.graph.LayerGraph;
import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.layers.ShapeContext;
import dev.kiln.processor.parse.InputRef;
import dev.kiln.processor.parse.LayerDecl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/**
 * Infers every layer's output shape in execution order, asking each layer kind for its rule.
 * A layer with an error of its own, or reading a layer without a shape, is skipped rather than
 * reported again; the layers after it are inferred as far as their inputs allow.
 */
public final class ShapeInference {

  private ShapeInference() {}

  /**
   * The layers that got a shape, and what inferring them found.
   *
   * @param network the layers with shapes, in execution order
   * @param report the shape errors and warnings
   * @param skipped the layers of the graph's order left without a shape
   */
  public record Inferred(Network network, Report report, List<String> skipped) {

    /** The network, which must have every layer: with no error reported, none is skipped. */
    public Network complete() {
      if (!skipped.isEmpty()) {
        throw new IllegalStateException(
            "no shape for " + skipped + ", and no error says why");
      }
      return network;
    }
  }

  /** Infers the shapes of {@code graph}'s layers; {@code earlier} holds the errors found so far. */
  public static Inferred run(LayerGraph graph, Report earlier) {
    Report.Builder report = Report.about(graph.model().type());
    Map<String, Node> nodes = new HashMap<>();
    List<Node> ordered = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Set<String> misfits = new HashSet<>();
    for (LayerDecl layer : graph.order()) {
      Node node = earlier.hasErrorsWithin(layer.method()) || !fitsBlockInputs(layer, nodes, misfits, report)
          ? null
          : infer(layer, nodes, report);
      if (node == null) {
        skipped.add(layer.name());
        continue;
      }
      nodes.put(layer.name(), node);
      ordered.add(node);
    }
    return new Inferred(new Network(graph.model(), ordered), report.build(), skipped);
  }

  /**
   * Whether the tensors a block's layer reads through the block's inputs have the rank and the
   * sizes the block declares; a misfit is reported once per application and input.
   */
  private static boolean fitsBlockInputs(
      LayerDecl layer, Map<String, Node> nodes, Set<String> misfits, Report.Builder report) {
    boolean fits = true;
    for (InputRef input : layer.inputs()) {
      Node given = nodes.get(input.layer());
      if (input.blockInput() == null || given == null) {
        continue;
      }
      List<Integer> declared = input.blockInput().dims();
      List<Integer> actual = given.shape().dims();
      boolean same = declared.size() == actual.size();
      for (int i = 0; same && i < declared.size(); i++) {
        same = declared.get(i) == Shape.VARIABLE || declared.get(i).equals(actual.get(i));
      }
      if (!same) {
        fits = false;
        if (misfits.add(input.blockInput().text())) {
          report.error(Tag.SHAPE_MISMATCH,
              input.blockInput().text() + " takes " + new Shape(declared).withBatch() + ", but "
                  + input.layer() + " gives " + given.shape().withBatch() + "; "
                  + (declared.size() != actual.size()
                      ? "apply it to a tensor of rank " + (declared.size() + 1) + " with the batch axis"
                      : "apply it to a tensor of the sizes the block fixes, or leave them open (-1)"),
              input.site());
        }
      }
    }
    return fits;
  }

  /** The layer with its shape, or null when an input has none or after reporting why not. */
  private static Node infer(LayerDecl layer, Map<String, Node> nodes, Report.Builder report) {
    List<String> inputNames = layer.inputs().stream().map(InputRef::layer).toList();
    List<Shape> inputShapes = new ArrayList<>();
    for (String input : inputNames) {
      Node node = nodes.get(input);
      if (node == null) {
        return null;
      }
      inputShapes.add(node.shape());
    }
    Context context = new Context(layer, inputNames, inputShapes, nodes, report);
    try {
      Shape shape = layer.kind().outputShape(context);
      if (shape == null) {
        return null;
      }
      List<ParamDecl> params = layer.kind().parameters(layer, inputShapes);
      if (!fits(layer, shape, params, report)) {
        return null;
      }
      String owner = layer.weightsOf() == null ? layer.name() : layer.weightsOf();
      boolean own = owner.equals(layer.name());
      return new Node(layer, inputNames, inputShapes, shape, own ? params : List.of(), owner);
    } catch (ArithmeticException overflow) {
      report.error(
          Tag.TOO_LARGE,
          layer.name() + "'s sizes pass the " + Integer.MAX_VALUE + " values an array axis can"
              + " hold: its output or weights would be larger, from " + describeInputs(context)
              + "; use smaller sizes",
          layer.site());
      return null;
    }
  }

  /**
   * Reports a sample or weight array too large to index with an int. A shape with an empty or
   * negative axis is a bug in the layer kind, not a user mistake.
   */
  private static boolean fits(
      LayerDecl layer, Shape shape, List<ParamDecl> params, Report.Builder report) {
    for (int dim : shape.dims()) {
      if (dim == 0 || dim < Shape.VARIABLE) {
        throw new IllegalStateException(
            layer.kind().kerasName() + " gave " + layer.name() + " the shape " + shape);
      }
    }
    if (shape.length() > Integer.MAX_VALUE) {
      report.error(
          Tag.TOO_LARGE,
          layer.name() + " outputs " + shape.withBatch() + ", " + shape.length() + " values per"
              + " sample, but a sample can hold at most " + Integer.MAX_VALUE + "; use smaller"
              + " sizes",
          layer.site());
      return false;
    }
    for (ParamDecl param : params) {
      if (param.shape().length() > Integer.MAX_VALUE) {
        report.error(
            Tag.TOO_LARGE,
            layer.name() + "'s " + param.name() + " would have shape " + param.shape() + ", "
                + param.shape().length() + " values, but a weight array can hold at most "
                + Integer.MAX_VALUE + "; use smaller sizes",
            layer.site());
        return false;
      }
    }
    return true;
  }

  private static String describeInputs(Context context) {
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < context.inputs().size(); i++) {
      inputs.add(context.describeInput(i));
    }
    return inputs.isEmpty() ? "its attributes" : String.join(" and ", inputs);
  }

  private record Context(
      LayerDecl layer,
      List<String> inputNames,
      List<Shape> inputs,
      Map<String, Node> nodes,
      Report.Builder report)
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
    public Node producer(int index) {
      return nodes.get(inputNames.get(index));
    }

    @Override
    public String describeInput(int index) {
      StringBuilder text = new StringBuilder(inputs.get(index).withBatch());
      text.append(" from ");
      // A few producers back are enough to show where the shape comes from.
      Node node = producer(index);
      for (int shown = 0; ; shown++) {
        if (shown == 4) {
          text.append(" <- ...");
          break;
        }
        text.append(shown == 0 ? "" : " <- ").append(node.name());
        if (node.inputs().isEmpty()) {
          break;
        }
        node = nodes.get(node.inputs().get(0));
      }
      return text.toString();
    }

    @Override
    public void error(Tag tag, String message, String attribute) {
      report.error(tag, message, attribute == null ? layer.site() : layer.site(attribute));
    }

    @Override
    public void errorAtInput(Tag tag, int index, String message) {
      report.error(tag, message, layer.inputs().get(index).site());
    }

    @Override
    public void warning(Tag tag, String message) {
      report.warning(tag, message, layer.site());
    }
  }
}
