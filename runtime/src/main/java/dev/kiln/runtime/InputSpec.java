package dev.kiln.runtime;

import dev.kiln.DType;

/**
 * An input of a generated model.
 *
 * @param name the input layer's name
 * @param shape the shape of one sample; {@code -1} marks a variable axis
 * @param dtype the element type the input holds
 */
public record InputSpec(String name, long[] shape, DType dtype) {}
