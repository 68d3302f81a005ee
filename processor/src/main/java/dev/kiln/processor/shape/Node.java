package dev.kiln.processor.shape;

import dev.kiln.processor.layers.ParamDecl;
import dev.kiln.processor.parse.LayerDecl;
import java.util.List;

/**
 * A layer with everything inferred about it.
 *
 * @param decl the declaration
 * @param inputs the names of the layers it reads, in parameter order
 * @param inputShapes their shapes
 * @param shape its output shape
 * @param params its parameter arrays
 */
public record Node(
    LayerDecl decl, List<String> inputs, List<Shape> inputShapes, Shape shape, List<ParamDecl> params) {

  public Node {
    inputs = List.copyOf(inputs);
    inputShapes = List.copyOf(inputShapes);
    params = List.copyOf(params);
  }

  public String name() {
    return decl.name();
  }

  /** The number of parameter values. */
  public long paramCount() {
    return params.stream().mapToLong(param -> param.shape().length()).sum();
  }
}
