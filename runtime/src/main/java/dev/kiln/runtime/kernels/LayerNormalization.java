package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' LayerNormalization over the trailing {@code features} values of each row: {@code y =
 * gamma * xhat + beta} with {@code xhat = (x - mean) / sqrt(variance + epsilon)}, the mean and
 * the biased variance taken over the row. The backward pass recomputes each row's statistics
 * (two passes over the row) rather than keeping them, and computes every gradient in one more pass
 * per row. Java loops over each row read once into a Java array, in double precision; float32
 * rows of whole vectors in Vector API lanes when {@link VectorApi} allows ({@link
 * LayerNormalizationLanes}), in two halves of rows at once from {@link #TWO_THREADS} values on.
 */
public final class LayerNormalization {

  /** The smallest array the lanes do on two threads ({@link SecondThread}). */
  static final long TWO_THREADS = 1 << 16;

  private LayerNormalization() {}

  /**
   * A LayerNormalization layer's parameters: views of the model's flat parameter buffer, each
   * shaped like the normalised axes.
   *
   * @param gamma the scale, or null for a layer without ({@code scale = false})
   * @param beta the offset, or null for a layer without ({@code center = false})
   */
  public record Parameters(INDArray gamma, INDArray beta) {}

  /**
   * @param x input, {@code (..., features...)}: rows of {@code features} consecutive values
   * @param gamma {@code features} values, or {@code null} for a scale of 1
   * @param beta {@code features} values, or {@code null} for an offset of 0
   * @param features the number of values normalised together (the normalised axes' product)
   * @param out written, shaped like {@code x}; may be {@code x}
   */
  public static void forward(
      INDArray x, INDArray gamma, INDArray beta, long features, double epsilon, INDArray out) {
    Require.sameShape(out, x, "LayerNormalization output");
    requireRows(x, gamma, beta, features);
    if (inLanes(features, x, gamma, beta, out)) {
      LayerNormalizationLanes.Rows rows = rows(x, gamma, beta, features, epsilon);
      FloatLanes y = new FloatLanes(out);
      inHalves(x.length(), (int) (x.length() / features),
          (from, to) -> LayerNormalizationLanes.forward(rows, y, from, to));
      Reference.reachabilityFence(x); // lanes do not hold their arrays
      Reference.reachabilityFence(gamma);
      Reference.reachabilityFence(beta);
      Reference.reachabilityFence(out);
      return;
    }
    Elements in = elements(x);
    Elements y = Elements.of(out);
    int width = Math.toIntExact(features);
    double[] scale = gamma == null ? null : JavaWork.read(gamma, 0);
    double[] offset = beta == null ? null : JavaWork.read(beta, 1);
    double[] row = JavaWork.doubles(2, width);
    for (long start = 0, n = in.length(); start < n; start += features) {
      for (int j = 0; j < width; j++) {
        row[j] = in.get(start + j);
      }
      double mean = mean(row, width);
      double inverse = 1 / Math.sqrt(variance(row, width, mean) + epsilon);
      for (int j = 0; j < width; j++) {
        double value = (row[j] - mean) * inverse;
        if (scale != null) {
          value *= scale[j];
        }
        if (offset != null) {
          value += offset[j];
        }
        y.set(start + j, value);
      }
    }
  }

  /**
   * Keras' {@code LayerNormalization()(Add()([a, b]))} in one pass: each row of {@code sum = a +
   * b} is written and normalised into {@code out} while it is in the cache; the values of {@link
   * Add#forward} followed by {@link #forward}, to the bit. The backward pass is {@link
   * #backwardOfSum}.
   *
   * @param a the Add's first input, shaped like {@code sum}
   * @param b the Add's second input, shaped like {@code sum}
   * @param gamma {@code features} values, or {@code null} for a scale of 1
   * @param beta {@code features} values, or {@code null} for an offset of 0
   * @param features the number of values normalised together
   * @param sum written with {@code a + b}: the Add's output, which the backward pass reads; or
   *     null in a prediction, which has no backward pass
   * @param out written, shaped like {@code a}; not {@code a}, {@code b} or {@code sum}
   */
  public static void forwardOfSum(INDArray a, INDArray b, INDArray gamma, INDArray beta,
      long features, double epsilon, INDArray sum, INDArray out) {
    Require.sameShape(b, a, "Add input");
    Require.sameShape(out, a, "LayerNormalization output");
    if (sum != null) {
      Require.sameShape(sum, a, "Add output");
    }
    requireRows(a, gamma, beta, features);
    if (inLanes(features, a, b, sum, gamma, beta, out)) {
      LayerNormalizationLanes.Rows rows = new LayerNormalizationLanes.Rows(
          FloatLanes.ofNullable(sum), FloatLanes.ofNullable(gamma), FloatLanes.ofNullable(beta),
          (int) features, (float) epsilon);
      FloatLanes first = new FloatLanes(a);
      FloatLanes second = new FloatLanes(b);
      FloatLanes y = new FloatLanes(out);
      inHalves(a.length(), (int) (a.length() / features),
          (from, to) -> LayerNormalizationLanes.forwardOfSum(rows, first, second, y, from, to));
      Reference.reachabilityFence(a); // lanes do not hold their arrays
      Reference.reachabilityFence(b);
      Reference.reachabilityFence(gamma);
      Reference.reachabilityFence(beta);
      Reference.reachabilityFence(sum);
      Reference.reachabilityFence(out);
      return;
    }
    INDArray x = sum != null ? sum : out; // without a sum to keep, normalised in place
    Add.forward(x, a, b);
    forward(x, gamma, beta, features, epsilon, out);
  }

  /**
   * The backward pass of {@link #forwardOfSum}: {@link #backward}'s gradients, the input gradient
   * written into both of the Add's input gradients at once (the gradient of a sum is its
   * output's), without the Add's own gradient in between.
   *
   * @param sum the forward pass's {@code sum}
   * @param gamma as in the forward pass, or {@code null}
   * @param dOut the output gradient, shaped like {@code sum}
   * @param dGamma written, {@code features} values, or {@code null}
   * @param dBeta written, {@code features} values, or {@code null}
   * @param dA written with the gradient of {@code a}, or {@code null} when nobody needs it
   * @param dB written with the gradient of {@code b}, or {@code null} when nobody needs it
   */
  public static void backwardOfSum(INDArray sum, INDArray gamma, long features, double epsilon,
      INDArray dOut, INDArray dGamma, INDArray dBeta, INDArray dA, INDArray dB) {
    INDArray dx = dA != null ? dA : dB;
    INDArray copy = dA != null ? dB : null;
    if (copy != null) {
      Require.sameShape(copy, sum, "Add input gradient");
    }
    if (copy != null && inLanes(features, sum, gamma, dOut, dx, copy, dGamma, dBeta)) {
      Require.sameShape(dOut, sum, "LayerNormalization output gradient");
      Require.sameShape(dx, sum, "Add input gradient");
      requireRows(sum, gamma, dGamma, features);
      backwardInLanes(sum, gamma, features, epsilon, dOut, dGamma, dBeta, dx, copy);
      return;
    }
    backward(sum, gamma, features, epsilon, dOut, dGamma, dBeta, dx);
    if (copy != null) {
      Add.backward(dx, copy);
    }
  }

  /**
   * The gradients, fused: with {@code g = dOut * gamma} per row, {@code dx = (g - mean(g) - xhat *
   * mean(g * xhat)) / sqrt(variance + epsilon)}; {@code dGamma = sum(dOut * xhat)} and {@code
   * dBeta = sum(dOut)} over the rows, summed in double precision. Each row of {@code x} and
   * {@code dOut} is read once into Java arrays.
   *
   * @param x the forward input
   * @param gamma as in the forward pass, or {@code null}
   * @param dOut the output gradient, shaped like {@code x}
   * @param dGamma written, {@code features} values, or {@code null}
   * @param dBeta written, {@code features} values, or {@code null}
   * @param dx written, shaped like {@code x}, or {@code null}; may be {@code dOut} but not {@code x}
   */
  public static void backward(
      INDArray x,
      INDArray gamma,
      long features,
      double epsilon,
      INDArray dOut,
      INDArray dGamma,
      INDArray dBeta,
      INDArray dx) {
    Require.sameShape(dOut, x, "LayerNormalization output gradient");
    requireRows(x, gamma, dGamma, features);
    if (inLanes(features, x, gamma, dOut, dx, dGamma, dBeta)) {
      backwardInLanes(x, gamma, features, epsilon, dOut, dGamma, dBeta, dx, null);
      return;
    }
    Elements in = elements(x);
    Elements gradient = elements(dOut);
    Elements inputGradient = dx == null ? null : Elements.of(dx);
    int width = Math.toIntExact(features);
    double[] scale = gamma == null ? null : JavaWork.read(gamma, 0);
    double[] row = JavaWork.doubles(1, width);
    double[] rowGradient = JavaWork.doubles(2, width);
    double[] scaleGradient = JavaWork.doubles(3, width);
    double[] offsetGradient = JavaWork.doubles(4, width);
    java.util.Arrays.fill(scaleGradient, 0, width, 0);
    java.util.Arrays.fill(offsetGradient, 0, width, 0);
    for (long start = 0, n = in.length(); start < n; start += features) {
      for (int j = 0; j < width; j++) {
        row[j] = in.get(start + j);
        rowGradient[j] = gradient.get(start + j);
      }
      double mean = mean(row, width);
      double inverse = 1 / Math.sqrt(variance(row, width, mean) + epsilon);
      double sumG = 0;
      double sumGXhat = 0;
      for (int j = 0; j < width; j++) {
        double d = rowGradient[j];
        double xhat = (row[j] - mean) * inverse;
        row[j] = xhat;
        double g = scale == null ? d : d * scale[j];
        sumG += g;
        sumGXhat += g * xhat;
        scaleGradient[j] += d * xhat;
        offsetGradient[j] += d;
      }
      if (inputGradient == null) {
        continue;
      }
      double meanG = sumG / features;
      double meanGXhat = sumGXhat / features;
      for (int j = 0; j < width; j++) {
        double g = scale == null ? rowGradient[j] : rowGradient[j] * scale[j];
        inputGradient.set(start + j, (g - meanG - row[j] * meanGXhat) * inverse);
      }
    }
    if (dGamma != null) {
      JavaWork.write(scaleGradient, dGamma);
    }
    if (dBeta != null) {
      JavaWork.write(offsetGradient, dBeta);
    }
  }

  /**
   * The backward pass in lanes: each half of the rows sums its parameter gradients into float64
   * arrays of its own (the caller's work arrays, handed to both threads), added at the end.
   */
  private static void backwardInLanes(INDArray x, INDArray gamma, long features, double epsilon,
      INDArray dOut, INDArray dGamma, INDArray dBeta, INDArray dx, INDArray copy) {
    LayerNormalizationLanes.Rows rows = rows(x, gamma, null, features, epsilon);
    FloatLanes gradient = new FloatLanes(dOut);
    FloatLanes inputGradient = FloatLanes.ofNullable(dx);
    FloatLanes copied = FloatLanes.ofNullable(copy);
    int width = (int) features;
    double[] gammaSums = JavaWork.doubles(3, width);
    double[] betaSums = JavaWork.doubles(4, width);
    double[] helperGammaSums = JavaWork.doubles(5, width);
    double[] helperBetaSums = JavaWork.doubles(6, width);
    java.util.Arrays.fill(gammaSums, 0, width, 0);
    java.util.Arrays.fill(betaSums, 0, width, 0);
    java.util.Arrays.fill(helperGammaSums, 0, width, 0);
    java.util.Arrays.fill(helperBetaSums, 0, width, 0);
    float[] blockGamma = JavaWork.floats(2, width);
    float[] blockBeta = JavaWork.floats(3, width);
    float[] helperBlockGamma = JavaWork.floats(4, width);
    float[] helperBlockBeta = JavaWork.floats(5, width);
    int count = (int) (x.length() / features);
    if (x.length() < TWO_THREADS || !SecondThread.ENABLED) {
      LayerNormalizationLanes.backward(rows, gradient, inputGradient, copied, 0, count,
          blockGamma, blockBeta, gammaSums, betaSums);
    } else {
      int half = count / 2;
      SecondThread.run(
          () -> LayerNormalizationLanes.backward(rows, gradient, inputGradient, copied, half,
              count, helperBlockGamma, helperBlockBeta, helperGammaSums, helperBetaSums),
          () -> LayerNormalizationLanes.backward(rows, gradient, inputGradient, copied, 0, half,
              blockGamma, blockBeta, gammaSums, betaSums));
      for (int j = 0; j < width; j++) {
        gammaSums[j] += helperGammaSums[j];
        betaSums[j] += helperBetaSums[j];
      }
    }
    if (dGamma != null) {
      JavaWork.write(gammaSums, dGamma);
    }
    if (dBeta != null) {
      JavaWork.write(betaSums, dBeta);
    }
    Reference.reachabilityFence(x); // lanes do not hold their arrays
    Reference.reachabilityFence(gamma);
    Reference.reachabilityFence(dOut);
    Reference.reachabilityFence(dx);
    Reference.reachabilityFence(copy);
  }

  /** Whether the lanes take a call: float32 rows of whole vectors, every array contiguous. */
  private static boolean inLanes(long features, INDArray... arrays) {
    if (!VectorApi.ENABLED || !LayerNormalizationLanes.suits(features)) {
      return false;
    }
    for (INDArray array : arrays) {
      if (array != null && (!VectorApi.appliesTo(array.dataType()) || !Elements.accepts(array))) {
        return false;
      }
    }
    return true;
  }

  private static LayerNormalizationLanes.Rows rows(INDArray x, INDArray gamma, INDArray beta,
      long features, double epsilon) {
    return new LayerNormalizationLanes.Rows(new FloatLanes(x), FloatLanes.ofNullable(gamma),
        FloatLanes.ofNullable(beta), (int) features, (float) epsilon);
  }

  /** A pass over the rows {@code [from, to)}. */
  private interface Part {
    void run(int from, int to);
  }

  /** {@code part} over {@code count} rows of {@code length} values in all, in two halves. */
  private static void inHalves(long length, int count, Part part) {
    if (length < TWO_THREADS) {
      part.run(0, count);
      return;
    }
    int half = count / 2;
    SecondThread.run(() -> part.run(half, count), () -> part.run(0, half));
  }

  private static double mean(double[] row, int width) {
    double sum = 0;
    for (int j = 0; j < width; j++) {
      sum += row[j];
    }
    return sum / width;
  }

  /** The biased variance (divided by the count, as Keras and PyTorch do), in two passes. */
  private static double variance(double[] row, int width, double mean) {
    double sum = 0;
    for (int j = 0; j < width; j++) {
      double centred = row[j] - mean;
      sum += centred * centred;
    }
    return sum / width;
  }

  private static void requireRows(INDArray x, INDArray gamma, INDArray other, long features) {
    if (features < 1 || x.length() % features != 0) {
      throw new IllegalArgumentException("LayerNormalization of " + features + " features per row"
          + " cannot read an array of " + x.length() + " values");
    }
    for (INDArray parameter : new INDArray[] {gamma, other}) {
      if (parameter != null && parameter.length() != features) {
        throw new IllegalArgumentException("LayerNormalization parameter has "
            + parameter.length() + " values, expected " + features);
      }
    }
  }

  /** The elements of {@code array}, of a contiguous copy when it is a strided view. */
  private static Elements elements(INDArray array) {
    return Elements.of(Elements.accepts(array) ? array : array.dup('c'));
  }
}
