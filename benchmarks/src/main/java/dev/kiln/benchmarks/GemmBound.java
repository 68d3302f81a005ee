package dev.kiln.benchmarks;

import dev.kiln.runtime.LayerSpec;
import dev.kiln.runtime.ModelSpec;
import dev.kiln.runtime.ParameterSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The matrix-product work of one training step, from a model's spec: what the step would cost if
 * it did nothing but its products at the machine's GEMM rate. Each kernel-like parameter (a
 * {@code (in, out)} matrix, or a convolution's {@code (kh, kw, in, out)}) is multiplied once per
 * position it is applied at, three times per step: forward, input gradient, kernel gradient.
 */
final class GemmBound {

  private static final List<String> RECURRENT = List.of("LSTM", "GRU", "SimpleRNN", "Bidirectional");

  private GemmBound() {}

  /** Floating-point operations of the products of one training step on {@code batch} samples. */
  static double trainingFlops(ModelSpec spec, int batch) {
    Map<String, LayerSpec> layers = new HashMap<>();
    spec.layers().forEach(layer -> layers.put(layer.name(), layer));
    double flops = 0;
    for (ParameterSpec parameter : spec.parameters()) {
      if (parameter.name().toLowerCase(java.util.Locale.ROOT).contains("kernel")) {
        LayerSpec layer = layers.get(parameter.layer());
        flops += 3 * 2.0 * batch * positions(layer, layers) * parameter.length();
      }
    }
    return flops;
  }

  /**
   * How many times per sample a layer applies its kernel: every step of a recurrent layer's input,
   * every input pixel of a transposed convolution, and every position of the output otherwise (all
   * but the last axis: a Dense on a sequence or an image, a convolution's output pixels).
   */
  private static long positions(LayerSpec layer, Map<String, LayerSpec> layers) {
    String type = layer.type();
    long[] input = layers.get(layer.inputs().get(0)).shape();
    if (RECURRENT.stream().anyMatch(type::contains)) {
      return input[0];
    }
    long[] shape = type.equals("Conv2DTranspose") ? input : layer.shape();
    long positions = 1;
    for (int axis = 0; axis < shape.length - 1; axis++) {
      positions *= shape[axis];
    }
    return positions;
  }
}
