package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.Loss;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Shapes and lists as generated code and its Javadoc write them. */
final class ShapeText {

  private ShapeText() {}

  /** The shape of an output's targets: class indices for sparse categorical cross-entropy. */
  static String target(Node node) {
    Loss loss = node.decl().output().loss();
    if (loss == Loss.SPARSE_CATEGORICAL_CROSSENTROPY) {
      List<Integer> dims = node.shape().dims();
      return new Shape(dims.subList(0, dims.size() - 1)).withBatch() + " class indices";
    }
    return node.shape().withBatch();
  }

  /** {@code (batch, steps, 64)}: a buffer's shape with the batch and a variable length named. */
  static String batch(Shape shape) {
    return shape.withBatch().replaceFirst("\\(None", "(batch").replace("None", "steps");
  }

  /** {@code , 3, 3, 64}: a shape's sizes as trailing arguments; a variable one is {@code steps}. */
  static String dims(Shape shape) {
    return shape.dims().stream()
        .map(dim -> ", " + (dim == Shape.VARIABLE ? "steps" : dim.toString()))
        .collect(Collectors.joining());
  }

  /** {@code new long[] {3, 3, 64}}. */
  static CodeBlock longArray(Shape shape) {
    return CodeBlock.of("new long[] {$L}",
        shape.dims().stream().map(Object::toString).collect(Collectors.joining(", ")));
  }

  /** {@code inputs[0], inputs[1]}. */
  static String indexed(String array, int count) {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      items.add(array + "[" + i + "]");
    }
    return String.join(", ", items);
  }

  static String escapeHtml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;");
  }
}
