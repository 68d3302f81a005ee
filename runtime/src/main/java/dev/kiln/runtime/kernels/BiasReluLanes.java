package dev.kiln.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link BiasRelu}'s passes over contiguous float32 arrays in Vector API lanes: each row's whole
 * vectors in lanes, the rest of the row one value at a time. Only code that checked {@link
 * VectorApi#ENABLED} may load this class.
 */
final class BiasReluLanes {

  private static final int WIDTH = FloatLanes.SPECIES.length();

  private BiasReluLanes() {}

  /** Adds {@code bias} (or nothing, if null) to each row of {@code out} and applies ReLU. */
  static void apply(INDArray out, INDArray bias) {
    FloatLanes values = new FloatLanes(out);
    int n = Math.toIntExact(out.length());
    if (bias == null) {
      relu(values, 0, n);
      return;
    }
    FloatLanes added = new FloatLanes(bias);
    int units = Math.toIntExact(bias.length());
    for (int start = 0; start < n; start += units) {
      addRelu(values, added, start, units);
    }
  }

  /** One row of {@code units} values from {@code start} on. */
  private static void addRelu(FloatLanes values, FloatLanes bias, int start, int units) {
    int j = 0;
    for (; j + WIDTH <= units; j += WIDTH) {
      vector(values, bias, start + j, j);
    }
    for (; j < units; j++) {
      float v = values.get(start + j) + bias.get(j);
      values.set(start + j, v < 0 ? 0 : v);
    }
  }

  /** ReLU alone over {@code [from, to)}. */
  private static void relu(FloatLanes values, int from, int to) {
    int i = from;
    for (; i + WIDTH <= to; i += WIDTH) {
      vector(values, i);
    }
    for (; i < to; i++) {
      float v = values.get(i);
      values.set(i, v < 0 ? 0 : v);
    }
  }

  /**
   * Zeroes {@code dy} where {@code y} is not positive and writes the sums of its rows into {@code
   * sums}: row after row added in float, as {@link FloatLoops#sumRows} adds them.
   */
  static void gradientAndSums(INDArray y, INDArray dy, INDArray sums) {
    FloatLanes output = new FloatLanes(y);
    FloatLanes gradient = new FloatLanes(dy);
    FloatLanes total = new FloatLanes(sums);
    int n = Math.toIntExact(dy.length());
    int units = Math.toIntExact(sums.length());
    total.zero(0, units);
    for (int start = 0; start < n; start += units) {
      int j = 0;
      for (; j + WIDTH <= units; j += WIDTH) {
        gradientVector(output, gradient, total, start + j, j);
      }
      for (; j < units; j++) {
        float g = output.get(start + j) > 0 ? gradient.get(start + j) : 0;
        gradient.set(start + j, g);
        total.set(j, total.get(j) + g);
      }
    }
  }

  private static void gradientVector(
      FloatLanes output, FloatLanes gradient, FloatLanes total, int at, int sumAt) {
    FloatVector g = FloatVector.zero(FloatLanes.SPECIES)
        .blend(gradient.load(at), output.load(at).compare(VectorOperators.GT, 0f));
    gradient.store(g, at);
    total.store(total.load(sumAt).add(g), sumAt);
  }

  private static void vector(FloatLanes values, FloatLanes bias, int at, int biasAt) {
    FloatVector v = values.load(at).add(bias.load(biasAt));
    values.store(v.blend(0f, v.compare(VectorOperators.LT, 0f)), at);
  }

  private static void vector(FloatLanes values, int at) {
    FloatVector v = values.load(at);
    values.store(v.blend(0f, v.compare(VectorOperators.LT, 0f)), at);
  }
}
