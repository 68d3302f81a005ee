package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Dense's bias and ReLU in one pass over its product's output: {@code y = z + b; y < 0 ? 0 : y}
 * (NaN and -0.0 stay, as in {@link Relu}), in place.
 *
 * <p>Why one pass: as two, the ReLU read back what the bias had just written, and its loop
 * branched on the sign of each value, half of them mispredicted on a layer's output: on the MLP's
 * three hidden layers (64 x 512, 216 and 128) the ReLUs took 0.19 ms of a 0.8 ms prediction.
 * Contiguous float32 arrays take Vector API lanes where the API is on ({@link BiasReluLanes}) and
 * a branch-free float loop otherwise; float64 arrays the bias add and ReLU kernels as before.
 */
final class BiasRelu {

  /** The largest array, in values, for the one-thread pass; libnd4j's ops take larger ones. */
  static final long MAX_LENGTH = 1 << 20;

  /** Values per chunk of the plain float loop. */
  private static final int CHUNK = 4096;

  private static final ThreadLocal<float[][]> CHUNKS =
      ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK], new float[CHUNK]});

  private BiasRelu() {}

  /**
   * Adds {@code bias} (or nothing, if null) to every row of {@code out}, seen as rows of its last
   * axis, and applies ReLU.
   */
  static void apply(INDArray out, INDArray bias) {
    if (out.dataType() != DataType.FLOAT || !Elements.accepts(out) || out.length() > MAX_LENGTH) {
      // Float64 (the gradient checks), strided views, large arrays: the two passes as before.
      if (bias != null) {
        Dense.addBias(out, bias);
      }
      Relu.forward(out);
      return;
    }
    if (VectorApi.ENABLED) {
      BiasReluLanes.apply(out, bias);
    } else {
      applyFloats((Elements.Floats) Elements.of(out),
          bias == null ? null : (Elements.Floats) Elements.of(bias));
    }
  }

  /**
   * ReLU's gradient and the bias gradient in one pass: zeroes {@code dy} where {@code y}, the
   * ReLU's output, is not positive, and writes the sums of {@code dy}'s rows (its last axis) into
   * {@code dBias}. Float32 arrays take lanes where the Vector API is on; the others the two kernels
   * as before.
   */
  static void gradient(INDArray y, INDArray dy, INDArray dBias) {
    if (VectorApi.ENABLED && dy.dataType() == DataType.FLOAT && y.dataType() == DataType.FLOAT
        && dBias.dataType() == DataType.FLOAT && Elements.accepts(y) && Elements.accepts(dy)
        && Elements.accepts(dBias) && dy.length() <= MAX_LENGTH) {
      BiasReluLanes.gradientAndSums(y, dy, dBias);
      return;
    }
    Relu.backward(y, dy);
    Dense.biasGradient(dy, dBias);
  }

  /** The pass in float arithmetic over chunks of a row, for JVMs without the Vector API. */
  static void applyFloats(Elements.Floats out, Elements.Floats bias) {
    float[][] chunks = CHUNKS.get();
    float[] values = chunks[0];
    float[] added = chunks[1];
    int n = (int) out.length();
    if (bias == null) {
      // No add at all: adding 0 would turn -0.0 into 0.0.
      for (int start = 0; start < n; start += CHUNK) {
        int count = Math.min(CHUNK, n - start);
        out.read(start, values, count);
        for (int j = 0; j < count; j++) {
          values[j] = relu(values[j]);
        }
        out.write(start, values, count);
      }
      return;
    }
    int units = (int) bias.length();
    for (int from = 0; from < units; from += CHUNK) {
      int length = Math.min(CHUNK, units - from);
      bias.read(from, added, length);
      for (int start = from; start < n; start += units) {
        out.read(start, values, length);
        for (int j = 0; j < length; j++) {
          values[j] = relu(values[j] + added[j]);
        }
        out.write(start, values, length);
      }
    }
  }

  /**
   * {@code v < 0 ? 0 : v} without a branch: zero exactly when the sign is set and the rest of the
   * bits lie in {@code (0, +inf]}, i.e. for negative numbers but not -0.0 or NaN.
   */
  private static float relu(float v) {
    int bits = Float.floatToRawIntBits(v);
    int magnitudeLess1 = (bits & 0x7fffffff) - 1;
    int negativeNumber = ~(magnitudeLess1 | (0x7f7fffff - magnitudeLess1)) >> 31 & bits >> 31;
    return Float.intBitsToFloat(bits & ~negativeNumber);
  }
}
