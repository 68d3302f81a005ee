package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.Input;
import dev.kiln.processor.check.Report;
import dev.kiln.processor.check.Tag;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.util.Arrays;

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
  public void checkAttributes(LayerDecl layer, Report.Builder report) {
    int[] shape = layer.attributes().intArray("shape");
    if (shape.length == 0) {
      report.error(
          Tag.BAD_ATTRIBUTE,
          "input " + layer.name() + " has an empty shape, but it needs the shape of one sample"
              + " without the batch axis; write shape = 784 or shape = {28, 28, 1}",
          layer.site("shape"));
      return;
    }
    for (int size : shape) {
      if (size == 0 || size < Shape.VARIABLE) {
        report.error(
            Tag.BAD_ATTRIBUTE,
            "input " + layer.name() + " has axis size " + size + " in its shape, but sizes must be"
                + " positive, or -1 for the steps axis of a sequence of variable length",
            layer.site("shape"));
        return;
      }
    }
    for (int axis = 0; axis < shape.length; axis++) {
      if (shape[axis] == Shape.VARIABLE && (axis > 0 || shape.length > 2)) {
        report.error(
            Tag.UNSUPPORTED,
            "input " + layer.name() + " has shape " + Arrays.toString(shape) + " with -1 on axis "
                + axis + ", but Kiln supports a variable length only on the steps axis of a"
                + " sequence: the first of (steps, features) or of (steps) token ids; give"
                + " that axis a size",
            layer.site("shape"));
        return;
      }
    }
    long values = 1;
    for (int size : shape) {
      values *= Math.abs(size);
      if (values > Integer.MAX_VALUE) {
        report.error(
            Tag.TOO_LARGE,
            "input " + layer.name() + " has shape " + Arrays.toString(shape) + ", more than the "
                + Integer.MAX_VALUE + " values a sample can hold in Kiln; use a smaller shape",
            layer.site("shape"));
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
