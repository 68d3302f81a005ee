package dev.kiln.runtime;

import dev.kiln.DType;

/**
 * An input of a generated model.
 *
 * @param name the input layer's name
 * @param shape the shape of one sample; {@code -1} marks a variable axis
 * @param dtype the element type the input holds
 * @param tokenLimit for token ids read by an Embedding, its {@code inputDim}: ids must be below
 *     it; 0 when unbounded
 */
public record InputSpec(String name, long[] shape, DType dtype, long tokenLimit) {

  /** An input without a bound on its values. */
  public InputSpec(String name, long[] shape, DType dtype) {
    this(name, shape, dtype, 0);
  }
}
