package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Dense's bias and the exact GELU ({@link Gelu}) in one pass over the layer's product {@code p}:
 * {@code y = gelu(p + b)}. The product stays as it is, without the bias, for the backward pass,
 * which adds the bias again where it reads it and sums the bias gradient in the same pass.
 *
 * <p>Why: as a bias pass and a GELU pass, the transformer block's feed-forward layer (64 x 64 x
 * 512 values) was read and written once more in each direction, and its bias gradient was a third
 * pass. Float32 arrays take {@link GeluLanes} where the Vector API is on, the others {@link Gelu}'s
 * double-precision formula; the sum {@code p + b} rounds to the arrays' type first, as the bias
 * pass did, so the activation is the unfused one's to the bit.
 *
 * <p>A training step takes {@link #forwardWithSlope} and {@link #backwardFromSlope} instead: the
 * forward pass writes GELU's derivative beside the activation, from the same exponential and
 * tail, and the backward pass multiplies by it. GELU's backward pass was the costlier of the two
 * (64 x 64 x 512 values: 7.0 ms of CPU against 5.2 forward, loaded machine).
 */
final class BiasGelu {

  private BiasGelu() {}

  /**
   * Writes {@code y = gelu(product + bias)}, the bias added to each row of the last axis.
   *
   * @param product {@code (..., units)}, read
   * @param bias {@code (units)}, or null for none
   * @param y written, shaped like {@code product}; may be {@code product}
   */
  static void forward(INDArray product, INDArray bias, INDArray y) {
    Require.sameShape(y, product, "activation output");
    if (!takes(product, bias) || !Elements.accepts(y)) {
      INDArray z = product.dup('c'); // views of other layouts: the two passes, on a copy
      if (bias != null) {
        Dense.addBias(z, bias);
      }
      Gelu.forward(z, y);
      return;
    }
    int n = Math.toIntExact(product.length());
    if (n == 0) {
      return;
    }
    int units = (int) product.size(-1);
    if (lanes(product, bias, y)) {
      FloatLanes x = new FloatLanes(product);
      FloatLanes out = new FloatLanes(y);
      float[] b = floats(bias, units, 6);
      Gelu.inHalves(n, (from, to) -> GeluLanes.forward(x, b, units, out, from, to));
      Reference.reachabilityFence(product); // lanes view the native memory, they do not hold it
      Reference.reachabilityFence(y);
      return;
    }
    forwardInLoops(product, bias, y);
  }

  /**
   * {@link #forward} in double precision whatever the Vector API, for arrays {@link #forward}
   * takes without a copy.
   */
  static void forwardInLoops(INDArray product, INDArray bias, INDArray y) {
    int n = Math.toIntExact(product.length());
    int units = (int) product.size(-1);
    Elements in = Elements.of(product);
    Elements offset = bias == null ? null : Elements.of(bias);
    Elements out = Elements.of(y);
    boolean rounded = product.dataType() == DataType.FLOAT;
    Gelu.inHalves(n, (from, to) -> {
      for (int i = from, column = from % units; i < to;
          i++, column = column + 1 == units ? 0 : column + 1) {
        out.set(i, Gelu.value(sum(in, offset, i, column, rounded)));
      }
    });
  }

  /**
   * A training step's forward pass: turns {@code y}, the product, into {@code gelu(y + bias)} in
   * place and writes GELU's derivative at {@code y + bias} into {@code slope}, so that the
   * backward pass ({@link #backwardFromSlope}) only multiplies. Values and slopes are those of
   * {@link #forward} and {@link #backward} to the bit, but for float32 arrays without the Vector
   * API, whose slope rounds to float32 before the gradient is multiplied by it.
   *
   * @param y {@code (..., units)}: the product, read, then the activation, written
   * @param bias {@code (units)}, or null for none
   * @param slope written, shaped like {@code y}
   */
  static void forwardWithSlope(INDArray y, INDArray bias, INDArray slope) {
    Require.sameShape(slope, y, "activation slope");
    if (!takes(y, bias) || !Elements.accepts(slope) || slope.dataType() != y.dataType()) {
      INDArray z = y.dup('c');
      if (bias != null) {
        Dense.addBias(z, bias);
      }
      Gelu.forward(z, y);
      slope.assign(1);
      Gelu.backward(z, slope);
      return;
    }
    int n = Math.toIntExact(y.length());
    if (n == 0) {
      return;
    }
    int units = (int) y.size(-1);
    if (lanes(y, bias, slope)) {
      FloatLanes values = new FloatLanes(y);
      FloatLanes slopes = new FloatLanes(slope);
      float[] b = floats(bias, units, 6);
      Gelu.inHalves(n, (from, to) -> GeluLanes.forwardWithSlope(values, b, units, slopes, from,
          to));
      Reference.reachabilityFence(y);
      Reference.reachabilityFence(slope);
      return;
    }
    forwardWithSlopeInLoops(y, bias, slope);
  }

  /** {@link #forwardWithSlope} in double precision whatever the Vector API. */
  static void forwardWithSlopeInLoops(INDArray y, INDArray bias, INDArray slope) {
    int n = Math.toIntExact(y.length());
    int units = (int) y.size(-1);
    Elements values = Elements.of(y);
    Elements offset = bias == null ? null : Elements.of(bias);
    Elements slopes = Elements.of(slope);
    boolean rounded = y.dataType() == DataType.FLOAT;
    Gelu.inHalves(n, (from, to) -> {
      for (int i = from, column = from % units; i < to;
          i++, column = column + 1 == units ? 0 : column + 1) {
        double z = sum(values, offset, i, column, rounded);
        slopes.set(i, Gelu.derivative(z));
        values.set(i, Gelu.value(z));
      }
    });
  }

  /**
   * The backward pass of {@link #forwardWithSlope}: turns {@code dy}, the loss gradient with
   * respect to {@code y}, into {@code dy * slope}, in place, and writes its sums over all but the
   * last axis into {@code dBias} as {@link #backward} does.
   *
   * @param slope the forward pass's {@code slope}
   * @param dy {@code (..., units)}, read and written
   * @param dBias written, {@code (units)}; or null when nobody needs it
   */
  static void backwardFromSlope(INDArray slope, INDArray dy, INDArray dBias) {
    Require.sameShape(dy, slope, "activation gradient");
    boolean summed = dBias != null;
    int n = Math.toIntExact(dy.length());
    if (!takes(slope, null) || !Elements.accepts(dy) || slope.dataType() != dy.dataType()
        || summed && !Elements.accepts(dBias) || n == 0) {
      dy.muli(slope);
      if (summed) {
        Dense.biasGradient(dy, dBias);
      }
      return;
    }
    backwardFromSlope(slope, dy, dBias, lanes(slope, null, dy));
  }

  /**
   * {@link #backwardFromSlope} in lanes or, with {@code inLanes} false, in double precision
   * whatever the Vector API, for arrays it takes without a copy.
   */
  static void backwardFromSlope(INDArray slope, INDArray dy, INDArray dBias, boolean inLanes) {
    int n = Math.toIntExact(dy.length());
    int units = (int) dy.size(-1);
    boolean summed = dBias != null;
    double[] sums = summed ? zeroed(JavaWork.doubles(0, units), units) : null;
    double[] helperSums = summed ? zeroed(JavaWork.doubles(1, units), units) : null;
    if (inLanes && GeluSlopeLanes.suits(units)) {
      FloatLanes slopes = new FloatLanes(slope);
      FloatLanes gradient = new FloatLanes(dy);
      int rows = n / units;
      float[] block = JavaWork.floats(5, units);
      float[] helperBlock = JavaWork.floats(4, units);
      if (n < Gelu.TWO_THREADS) {
        GeluSlopeLanes.backward(slopes, gradient, units, 0, rows, block, sums);
      } else {
        int half = rows / 2; // halves of whole rows, each with its own sums
        SecondThread.run(() -> GeluSlopeLanes.backward(slopes, gradient, units, half, rows,
            helperBlock, helperSums), () -> GeluSlopeLanes.backward(slopes, gradient, units, 0,
            half, block, sums));
      }
      Reference.reachabilityFence(slope);
      Reference.reachabilityFence(dy);
    } else if (inLanes) {
      FloatLanes slopes = new FloatLanes(slope);
      FloatLanes gradient = new FloatLanes(dy);
      Gelu.inHalves(n, (from, to) -> GeluLanes.backwardFromSlope(slopes, units, gradient,
          from == 0 ? sums : helperSums, from, to));
      Reference.reachabilityFence(slope);
      Reference.reachabilityFence(dy);
    } else {
      Elements slopes = Elements.of(slope);
      Elements gradient = Elements.of(dy);
      Gelu.inHalves(n, (from, to) -> {
        double[] mine = from == 0 ? sums : helperSums;
        for (int i = from, column = from % units; i < to;
            i++, column = column + 1 == units ? 0 : column + 1) {
          gradient.set(i, gradient.get(i) * slopes.get(i));
          if (mine != null) {
            mine[column] += gradient.get(i);
          }
        }
      });
    }
    if (summed) {
      for (int j = 0; j < units; j++) {
        sums[j] += helperSums[j];
      }
      JavaWork.write(sums, dBias);
    }
  }

  /**
   * The backward pass of {@link #forward}: turns {@code dy}, the loss gradient with respect to
   * {@code y}, into the gradient with respect to {@code product + bias}, in place, and writes its
   * sums over all but the last axis into {@code dBias}.
   *
   * @param product the forward pass's {@code product}
   * @param bias {@code (units)}, or null for none
   * @param dy {@code (..., units)}, read and written
   * @param dBias written, {@code (units)}; or null when nobody needs it
   */
  static void backward(INDArray product, INDArray bias, INDArray dy, INDArray dBias) {
    Require.sameShape(dy, product, "activation gradient");
    boolean summed = dBias != null;
    if (!takes(product, bias) || !Elements.accepts(dy) || summed && !Elements.accepts(dBias)) {
      INDArray z = product.dup('c');
      if (bias != null) {
        Dense.addBias(z, bias);
      }
      Gelu.backward(z, dy);
      if (summed) {
        Dense.biasGradient(dy, dBias);
      }
      return;
    }
    int n = Math.toIntExact(product.length());
    int units = (int) product.size(-1);
    if (n == 0) {
      if (summed) {
        dBias.assign(0);
      }
      return;
    }
    backward(product, bias, dy, dBias, lanes(product, bias, dy));
  }

  /**
   * {@link #backward} in lanes or, with {@code inLanes} false, in double precision whatever the
   * Vector API, for arrays it takes without a copy.
   */
  static void backward(INDArray product, INDArray bias, INDArray dy, INDArray dBias,
      boolean inLanes) {
    int n = Math.toIntExact(product.length());
    int units = (int) product.size(-1);
    boolean summed = dBias != null;
    // Each half of the values sums into its own array; the caller adds them at the end.
    double[] sums = summed ? zeroed(JavaWork.doubles(0, units), units) : null;
    double[] helperSums = summed ? zeroed(JavaWork.doubles(1, units), units) : null;
    if (inLanes) {
      FloatLanes x = new FloatLanes(product);
      FloatLanes gradient = new FloatLanes(dy);
      float[] b = floats(bias, units, 6);
      Gelu.inHalves(n, (from, to) -> GeluLanes.backward(x, b, units, gradient,
          from == 0 ? sums : helperSums, from, to));
      Reference.reachabilityFence(product);
      Reference.reachabilityFence(dy);
    } else {
      Elements in = Elements.of(product);
      Elements offset = bias == null ? null : Elements.of(bias);
      Elements gradient = Elements.of(dy);
      boolean rounded = product.dataType() == DataType.FLOAT;
      Gelu.inHalves(n, (from, to) -> {
        double[] mine = from == 0 ? sums : helperSums;
        for (int i = from, column = from % units; i < to;
            i++, column = column + 1 == units ? 0 : column + 1) {
          gradient.set(i, gradient.get(i) * Gelu.derivative(sum(in, offset, i, column, rounded)));
          if (mine != null) {
            mine[column] += gradient.get(i); // as stored, rounded to the array's type
          }
        }
      });
    }
    if (summed) {
      for (int j = 0; j < units; j++) {
        sums[j] += helperSums[j];
      }
      JavaWork.write(sums, dBias);
    }
  }

  /** Whether the one-pass kernels take these arrays: contiguous, row-major, of one type. */
  private static boolean takes(INDArray product, INDArray bias) {
    return Elements.accepts(product)
        && (bias == null || Elements.accepts(bias) && bias.dataType() == product.dataType()
            && bias.length() == product.size(-1));
  }

  private static boolean lanes(INDArray product, INDArray bias, INDArray other) {
    return VectorApi.appliesTo(product.dataType()) && VectorApi.appliesTo(other.dataType())
        && (bias == null || VectorApi.appliesTo(bias.dataType()));
  }

  /** {@code product[i] + bias[column]}, rounded to float32 for float32 arrays. */
  private static double sum(Elements product, Elements bias, int i, int column, boolean rounded) {
    double z = product.get(i) + (bias == null ? 0 : bias.get(column));
    return rounded ? (float) z : z;
  }

  /** The bias's values in a float work array of this thread, or null for no bias. */
  private static float[] floats(INDArray bias, int units, int slot) {
    if (bias == null) {
      return null;
    }
    float[] values = JavaWork.floats(slot, units);
    ((Elements.Floats) Elements.of(bias)).read(0, values, units);
    return values;
  }

  private static double[] zeroed(double[] values, int length) {
    java.util.Arrays.fill(values, 0, length, 0);
    return values;
  }
}
