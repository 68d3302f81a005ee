package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.Input;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;

/** {@code @Input}: a model input; its tensor is the array the caller passes. */
final class InputKind implements LayerKind {

  @Override
  public Class<Input> annotation() {
    return Input.class;
  }

  @Override
  public String kerasName() {
    return "InputLayer";
  }

  @Override
  public Arity arity() {
    return Arity.none();
  }

  @Override
  public boolean isInput() {
    return true;
  }

  @Override
  public void checkAttributes(LayerDecl layer, Report report) {
    int[] shape = layer.attributes().intArray("shape");
    if (shape.length == 0) {
      report.error(
          "BadAttribute",
          "input " + layer.name() + " has an empty shape; give the shape of one sample without the"
              + " batch axis, such as shape = 784 or shape = {28, 28, 1}",
          layer.method(),
          layer.attributes().mirror(),
          layer.attributes().written("shape"));
    }
    for (int size : shape) {
      if (size == 0 || size < Shape.VARIABLE) {
        report.error(
            "BadAttribute",
            "input " + layer.name() + " has axis size " + size + " in its shape; sizes must be"
                + " positive, or -1 for an axis of variable length",
            layer.method(),
            layer.attributes().mirror(),
            layer.attributes().written("shape"));
        return;
      }
    }
  }

  @Override
  public Shape outputShape(ShapeContext context) {
    return Shape.of(context.layer().attributes().intArray("shape"));
  }

  @Override
  public CodeBlock forward(LayerCode code) {
    return CodeBlock.of("");
  }

  @Override
  public CodeBlock backward(LayerCode code) {
    return CodeBlock.of("");
  }
}
