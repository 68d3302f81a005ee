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
 */
public record LayerSpec(String name, String type, long[] shape, List<String> inputs, long parameters) {

  public LayerSpec {
    inputs = List.copyOf(inputs);
  }
}
