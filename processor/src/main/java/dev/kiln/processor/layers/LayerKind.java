package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.kiln.processor.shape.Node;
import dev.kiln.Activation;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.lang.annotation.Annotation;
import java.util.List;

/**
 * Everything Kiln knows about one kind of layer: its annotation, its checks, its shape rule, its
 * parameters and the runtime calls of its forward and backward passes. Adding a layer kind means
 * adding one implementation to {@link LayerKinds}.
 *
 * <p>A kind's forward and backward cover its own computation; an {@code activation} attribute
 * is applied by the model writer around them, the same way for every kind.
 */
public interface LayerKind {

  /** The annotation declaring a layer of this kind. */
  Class<? extends Annotation> annotation();

  /** The Keras class name the summary shows ({@code Dense}). */
  String kerasName();

  Arity arity();

  /** Checks attribute values that need no shapes (positive units, rates in range). */
  default void checkAttributes(LayerDecl layer, Report report) {}

  /** The output shape for the given input shapes, or null after reporting why there is none. */
  Shape outputShape(ShapeContext context);

  /** The parameter arrays of a layer with these input shapes. */
  default List<ParamDecl> parameters(LayerDecl layer, List<Shape> inputs) {
    return List.of();
  }

  /** The activation applied to this layer's output. */
  default Activation activation(LayerDecl layer) {
    return Activation.LINEAR;
  }

  /** Whether the output aliases an input, so the layer needs no buffer of its own. */
  default boolean isInput() {
    return false;
  }

  /** A static constant of the generated class, such as a convolution's window. */
  record Constant(String suffix, TypeName type, CodeBlock initializer) {}

  /**
   * A buffer a layer keeps besides its output and gradient, such as a dropout mask.
   *
   * @param suffix appended to the layer's name
   * @param shape the shape, of one sample if {@code perSample}
   * @param perSample whether the buffer has the batch axis in front
   */
  record ExtraBuffer(String suffix, Shape shape, boolean perSample) {}

  /** Constants this layer's calls refer to, through {@link LayerCode#constant}. */
  default List<Constant> constants(LayerDecl layer) {
    return List.of();
  }

  /** Extra buffers this layer's calls refer to, through {@link LayerCode#buffer}. */
  default List<ExtraBuffer> extraBuffers(Node node) {
    return List.of();
  }

  /** The forward call(s), writing {@link LayerCode#output()}. */
  CodeBlock forward(LayerCode code);

  /** The backward call(s), reading {@link LayerCode#outputGradient()}. */
  CodeBlock backward(LayerCode code);

  /**
   * The names of the components of {@link #parametersType()}, in order; a parameter the layer
   * does not have (a bias with {@code useBias = false}) is passed as null.
   */
  default List<String> parameterNames() {
    return List.of();
  }

  /** The runtime type holding this kind's parameters for {@code layers()}; null without any. */
  default TypeName parametersType() {
    return null;
  }
}
