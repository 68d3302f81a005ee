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
 */
public record ParamDecl(
    String name, Shape shape, Initializer initializer, long fanIn, long fanOut) {}
