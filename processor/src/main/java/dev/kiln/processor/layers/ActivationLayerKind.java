package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.Activation;
import dev.kiln.ActivationLayer;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;

/**
 * {@code @ActivationLayer}: an activation on its own. Its own computation is a copy; the
 * activation is applied around it as for any layer.
 */
final class ActivationLayerKind implements LayerKind {

  @Override
  public Class<ActivationLayer> annotation() {
    return ActivationLayer.class;
  }

  @Override
  public String kerasName() {
    return "Activation";
  }

  @Override
  public Arity arity() {
    return Arity.exactly(1);
  }

  @Override
  public MaskUse maskUse(Node node) {
    return MaskUse.PASSES;
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    return context.inputs().get(0);
  }

  @Override
  public Activation activation(LayerDecl layer) {
    return layer.attributes().enumValue("value", Activation.class);
  }

  /** A linear activation is the identity. */
  @Override
  public Identity identity(LayerDecl layer) {
    return activation(layer) == Activation.LINEAR ? Identity.ALWAYS : Identity.NEVER;
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("$L.assign($L);\n", code.output(), code.input(0));
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return code.needsInputGradient(0)
        ? CodeBlock.of("$L.assign($L);\n", code.inputGradient(0), code.outputGradient())
        : CodeBlock.of("");
  }
}
