package dev.kiln.processor.layers;

import dev.kiln.Initializer;
import dev.kiln.processor.shape.Shape;

/**
 * One parameter array of a layer.
 *
 * @param name its name in the layer ({@code kernel}, {@code bias})
 * @param shape its shape
 * @param initializer how it starts
 * @param fanIn inputs per output unit, for the initializer
 * @param fanOut outputs per input unit
 * @param trainable whether the optimizer moves it (batch normalisation's moving averages are
 *     updated by the layer itself instead)
 */
public record ParamDecl(
    String name, Shape shape, Initializer initializer, long fanIn, long fanOut, boolean trainable) {

  /** A trainable parameter. */
  public ParamDecl(String name, Shape shape, Initializer initializer, long fanIn, long fanOut) {
    this(name, shape, initializer, fanIn, fanOut, true);
  }
}
