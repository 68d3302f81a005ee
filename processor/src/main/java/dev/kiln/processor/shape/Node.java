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
 * @param params the parameter arrays it owns (none when it uses another layer's weights)
 * @param weightsOwner the layer whose parameters it uses: itself, or its {@code @SameWeightsAs}
 */
public record Node(
    LayerDecl decl,
    List<String> inputs,
    List<Shape> inputShapes,
    Shape shape,
    List<ParamDecl> params,
    String weightsOwner) {

  public Node {
    inputs = List.copyOf(inputs);
    inputShapes = List.copyOf(inputShapes);
    params = List.copyOf(params);
  }

  public String name() {
    return decl.name();
  }

  /** The number of parameter values it owns. */
  public long paramCount() {
    return params.stream().mapToLong(param -> param.shape().length()).reduce(0, Math::addExact);
  }

  /** The number of parameter values it owns that training moves: none when it is frozen. */
  public long trainableCount() {
    if (decl.frozen()) {
      return 0;
    }
    return params.stream()
        .filter(ParamDecl::trainable)
        .mapToLong(param -> param.shape().length())
        .sum();
  }

  /** Whether it uses another layer's weights. */
  public boolean sharesWeights() {
    return !weightsOwner.equals(decl.name());
  }
}
