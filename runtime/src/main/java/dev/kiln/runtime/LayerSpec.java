package dev.kiln.runtime;

import java.util.List;

/**
 * One layer of a generated model, as its summary lists it.
 *
 * @param name the layer's (method's) name
 * @param type the Keras class name ({@code Dense}, {@code InputLayer})
 * @param shape the shape of one sample of its output; {@code -1} for a variable axis
 * @param inputs the layers it reads, in order
 * @param parameters the number of parameter values it owns
 * @param cost its FLOPs and the values it keeps, per sample
 */
public record LayerSpec(
    String name, String type, long[] shape, List<String> inputs, long parameters, LayerCost cost) {

  public LayerSpec {
    inputs = List.copyOf(inputs);
  }

  /** A layer whose cost is not known (a spec written by hand). */
  public LayerSpec(String name, String type, long[] shape, List<String> inputs, long parameters) {
    this(name, type, shape, inputs, parameters, LayerCost.UNKNOWN);
  }
}
