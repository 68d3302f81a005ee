package dev.kiln.runtime;

import dev.kiln.Initializer;

/**
 * One parameter array of a layer, a slice of the model's flat parameter buffer.
 *
 * @param layer the layer's name
 * @param name the parameter's name within the layer ({@code kernel}, {@code bias}, ...)
 * @param shape its shape
 * @param initializer how it starts
 * @param fanIn inputs per output unit, for the initializer
 * @param fanOut outputs per input unit, for the initializer
 * @param trainable whether the optimizer moves it; a layer may update it itself (batch
 *     normalisation's moving averages), and its gradient stays zero
 */
public record ParameterSpec(
    String layer,
    String name,
    long[] shape,
    Initializer initializer,
    long fanIn,
    long fanOut,
    boolean trainable) {

  /** A trainable parameter. */
  public ParameterSpec(
      String layer, String name, long[] shape, Initializer initializer, long fanIn, long fanOut) {
    this(layer, name, shape, initializer, fanIn, fanOut, true);
  }

  /** The number of values. */
  public long length() {
    return Shapes.length(shape);
  }
}
