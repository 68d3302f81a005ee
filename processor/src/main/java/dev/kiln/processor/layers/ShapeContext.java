package dev.kiln.processor.layers;

import dev.kiln.processor.check.Tag;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Node;
import dev.kiln.processor.shape.Shape;
import java.util.List;

/**
 * What a layer kind sees while inferring its output shape: its inputs' shapes and producers,
 * and a way to report a mismatch on its annotation.
 */
public interface ShapeContext {

  LayerDecl layer();

  List<Shape> inputs();

  /**
   * The layers behind input {@code index}: its producer, then that layer's first input, and so
   * on back to a model input.
   */
  List<Node> producers(int index);

  /** The layer input {@code index} comes from: the first of {@link #producers}, found at once. */
  Node producer(int index);

  /** {@code (None, 71, 71, 512) from drop4 <- conv4 <- pool3 ...}: input {@code index} and its origin. */
  String describeInput(int index);

  /**
   * Reports a {@code [Kiln/ShapeMismatch]} error on the layer annotation, or on {@code
   * attribute}'s value if it was written; the message names the layer itself.
   */
  default void error(String message, String attribute) {
    error(Tag.SHAPE_MISMATCH, message, attribute);
  }

  /** Reports an error with another tag, on the same place. */
  void error(Tag tag, String message, String attribute);

  /**
   * Reports a {@code [Kiln/ShapeMismatch]} error on the parameter that passes input {@code
   * index}: for a mistake of that input alone, such as reading a tensor of the wrong rank.
   */
  default void errorAtInput(int index, String message) {
    errorAtInput(Tag.SHAPE_MISMATCH, index, message);
  }

  /** Reports an error with another tag on the parameter that passes input {@code index}. */
  void errorAtInput(Tag tag, int index, String message);

  /** Reports a warning on the layer annotation. */
  void warning(Tag tag, String message);
}
