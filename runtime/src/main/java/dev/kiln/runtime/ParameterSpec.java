package dev.kiln.runtime;

import dev.kiln.Constraint;
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
 * @param l1 the factor of {@code sum(|w|)} added to the loss (Keras' regularizer); 0 for none
 * @param l2 the factor of {@code sum(w^2)} added to the loss; 0 for none
 * @param constraint what is enforced on it after every update
 * @param maxNorm {@link Constraint#MAX_NORM}'s largest norm
 */
public record ParameterSpec(
    String layer,
    String name,
    long[] shape,
    Initializer initializer,
    long fanIn,
    long fanOut,
    boolean trainable,
    double l1,
    double l2,
    Constraint constraint,
    double maxNorm) {

  /** A parameter without regularizer or constraint. */
  public ParameterSpec(
      String layer, String name, long[] shape, Initializer initializer, long fanIn, long fanOut,
      boolean trainable) {
    this(layer, name, shape, initializer, fanIn, fanOut, trainable, 0, 0, Constraint.NONE, 0);
  }

  /** A trainable parameter. */
  public ParameterSpec(
      String layer, String name, long[] shape, Initializer initializer, long fanIn, long fanOut) {
    this(layer, name, shape, initializer, fanIn, fanOut, true);
  }

  /** Whether a regularizer adds to the loss. */
  public boolean regularized() {
    return l1 != 0 || l2 != 0;
  }

  /** The number of values. */
  public long length() {
    return Shapes.length(shape);
  }
}
