package dev.kiln.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link BiasRelu}'s pass over a contiguous float32 array in Vector API lanes: each row's whole
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

  private static void vector(FloatLanes values, FloatLanes bias, int at, int biasAt) {
    FloatVector v = values.load(at).add(bias.load(biasAt));
    values.store(v.blend(0f, v.compare(VectorOperators.LT, 0f)), at);
  }

  private static void vector(FloatLanes values, int at) {
    FloatVector v = values.load(at);
    values.store(v.blend(0f, v.compare(VectorOperators.LT, 0f)), at);
  }
}
