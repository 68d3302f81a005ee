package dev.kiln.processor.layers;

import dev.kiln.processor.check.Report;
import dev.kiln.processor.parse.LayerDecl;
import dev.kiln.processor.shape.Shape;
import java.util.List;

/**
 * What a layer kind sees while inferring its output shape: its inputs' shapes, and a way to
 * report a mismatch with the chain of layers that produced each input.
 */
public interface ShapeContext {

  LayerDecl layer();

  List<Shape> inputs();

  /** {@code (None, 71, 71, 512) from drop4 <- conv4 <- pool3}: input {@code index} and its origin. */
  String describeInput(int index);

  /** Reports a shape error on the layer annotation, or on {@code attribute} if it was written. */
  void error(String message, String attribute);

  Report report();
}
