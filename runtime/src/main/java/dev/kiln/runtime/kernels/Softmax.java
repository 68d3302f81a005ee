package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code exp(z) / sum(exp(z))} over the last axis. Before a cross-entropy loss the backward pass
 * is fused into the loss; elsewhere it reads the pre-activation {@code z}. Keras' {@code Softmax}
 * layer over another axis has a forward and backward pass of its own, below.
 */
public final class Softmax {

  private Softmax() {}

  /** Floats a float32 pass reads at a time: whole rows, or one row longer than this. */
  private static final int CHUNK = 4096;

  private static final ThreadLocal<float[][]> ROWS =
      ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK]});

  /** Writes {@code softmax(z)} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    if (JavaLoops.suit(z) && JavaLoops.suit(y)) {
      if (Elements.of(z) instanceof Elements.Floats scores
          && Elements.of(y) instanceof Elements.Floats probabilities) {
        floatRows(scores, probabilities, Math.toIntExact(z.size(z.rank() - 1)));
      } else {
        JavaLoops.softmax(z, y);
      }
      return;
    }
    Nd4j.exec(new SoftMax(z, y, z.rank() - 1));
  }

  /**
   * Float32 rows in bulk through a Java array, each exponent and the sum in double as before: an
   * element at a time through the array's buffer took 14 ns a value (the MLP's output softmax, 64
   * x 10: 9 us).
   */
  private static void floatRows(Elements.Floats z, Elements.Floats y, int classes) {
    float[][] holder = ROWS.get();
    if (holder[0].length < classes) {
      holder[0] = new float[classes];
    }
    float[] values = holder[0];
    int chunk = values.length / classes * classes;
    for (int start = 0, n = (int) z.length(); start < n; start += chunk) {
      int length = Math.min(chunk, n - start);
      z.read(start, values, length);
      for (int row = 0; row < length; row += classes) {
        softmaxRow(values, row, row + classes);
      }
      y.write(start, values, length);
    }
  }

  private static void softmaxRow(float[] values, int from, int to) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = from; i < to; i++) {
      max = Math.max(max, values[i]);
    }
    double sum = 0;
    for (int i = from; i < to; i++) {
      float e = (float) Math.exp((double) values[i] - max);
      values[i] = e;
      sum += e;
    }
    for (int i = from; i < to; i++) {
      values[i] = (float) (values[i] / sum);
    }
  }

  /**
   * Turns {@code dy} into the gradient with respect to {@code z}, in place. Consumes {@code z}:
   * libnd4j's {@code softmax_bp} may write over its input but not over the incoming gradient,
   * so the result goes through {@code z}'s buffer.
   */
  public static void backward(INDArray z, INDArray dy) {
    Nd4j.exec(new SoftmaxBp(z, dy, z, z.rank() - 1));
    dy.assign(z);
  }

  /**
   * Writes the softmax of {@code z} along {@code axis} into {@code y}: each slice along that axis
   * sums to 1. The slice's maximum is subtracted first, so that no exponential overflows.
   *
   * @param axis counting the batch axis, from 1 to {@code z.rank() - 1}
   * @param y shaped like {@code z}; may be {@code z}
   */
  public static void forward(INDArray z, int axis, INDArray y) {
    Require.sameShape(y, z, "Softmax output");
    Elements scores = Merges.elements(z);
    Elements probabilities = Elements.of(y);
    long size = z.size(axis);
    long inner = z.length() / (z.size(0) * size) / productBefore(z, axis);
    for (long outer = 0, slices = z.length() / (size * inner); outer < slices; outer++) {
      for (long j = 0; j < inner; j++) {
        long start = outer * size * inner + j;
        double max = Double.NEGATIVE_INFINITY;
        for (long i = 0; i < size; i++) {
          max = Math.max(max, scores.get(start + i * inner));
        }
        double sum = 0;
        for (long i = 0; i < size; i++) {
          double e = Math.exp(scores.get(start + i * inner) - max);
          probabilities.set(start + i * inner, e);
          sum += e;
        }
        for (long i = 0; i < size; i++) {
          probabilities.set(start + i * inner, probabilities.get(start + i * inner) / sum);
        }
      }
    }
  }

  /**
   * The gradient through a softmax along {@code axis}, from its output: {@code dz = y * (dy -
   * sum(dy * y))}, the sum along the axis.
   *
   * @param y the forward output
   * @param dy the output gradient
   * @param dz written, shaped like {@code y}; may be {@code dy}
   */
  public static void backward(INDArray y, int axis, INDArray dy, INDArray dz) {
    Require.sameShape(dy, y, "Softmax output gradient");
    Require.sameShape(dz, y, "Softmax input gradient");
    Elements probabilities = Merges.elements(y);
    Elements gradient = Merges.elements(dy);
    Elements written = Elements.of(dz);
    long size = y.size(axis);
    long inner = y.length() / (y.size(0) * size) / productBefore(y, axis);
    for (long outer = 0, slices = y.length() / (size * inner); outer < slices; outer++) {
      for (long j = 0; j < inner; j++) {
        long start = outer * size * inner + j;
        double dot = 0;
        for (long i = 0; i < size; i++) {
          dot += gradient.get(start + i * inner) * probabilities.get(start + i * inner);
        }
        for (long i = 0; i < size; i++) {
          long at = start + i * inner;
          written.set(at, probabilities.get(at) * (gradient.get(at) - dot));
        }
      }
    }
  }

  /** The product of the sizes of axes 1 to {@code axis - 1}. */
  private static long productBefore(INDArray array, int axis) {
    if (axis < 1 || axis >= array.rank()) {
      throw new IllegalArgumentException("Softmax axis " + axis + " of an array of rank "
          + array.rank() + "; use an axis from 1 to " + (array.rank() - 1));
    }
    long product = 1;
    for (int i = 1; i < axis; i++) {
      product *= array.size(i);
    }
    return product;
  }
}
