package dev.kiln.runtime.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in float64: {@code (f(x + h) - f(x - h)) / 2h} for entries of an
 * array, compared with an analytic gradient by relative error.
 */
public final class FiniteDifferences {

  /** The step; small enough for a 1e-5 relative error, large enough above float64 rounding. */
  public static final double STEP = 1e-6;

  /**
   * What a central difference cannot resolve: rounding the loss (about 1e-16 of it, for losses of
   * order 1 to 10) divided by the 2e-6 step gives about 5e-10. An analytic and a numeric gradient
   * closer than this agree as far as finite differences can tell, however small both are.
   */
  public static final double NOISE = 1e-9;

  /**
   * A second step for a long forward pass, whose loss carries tens of units of float64 rounding
   * rather than one: at {@link #STEP} that rounding reaches about 1e-8 in the derivative, a
   * relative error above 1e-5 for gradient entries near 1e-5. A hundred times wider step divides
   * it by a hundred, and the truncation error of a smooth loss ({@code h^2 f''' / 6}) stays near
   * 1e-9.
   */
  public static final double WIDE_STEP = 1e-4;

  private FiniteDifferences() {}

  /** The numeric derivative of {@code loss} with respect to entry {@code index} of {@code x}. */
  public static double derivative(DoubleSupplier loss, INDArray x, long index) {
    return derivative(loss, x, index, STEP);
  }

  /** The same, with central differences {@code step} either side of the entry. */
  public static double derivative(DoubleSupplier loss, INDArray x, long index, double step) {
    requireDouble(x);
    double original = x.getDouble(index);
    x.putScalar(index, original + step);
    double plus = loss.getAsDouble();
    x.putScalar(index, original - step);
    double minus = loss.getAsDouble();
    x.putScalar(index, original);
    return (plus - minus) / (2 * step);
  }

  /** {@code |a - n| / max(|a|, |n|)}, or 0 when the difference is below finite differences' noise. */
  public static double relativeError(double analytic, double numeric) {
    double difference = Math.abs(analytic - numeric);
    double scale = Math.max(Math.abs(analytic), Math.abs(numeric));
    return difference < NOISE ? 0 : difference / scale;
  }

  /**
   * The largest relative error between {@code analytic} and the numeric gradient of {@code loss}
   * with respect to {@code x}, over {@code samples} random entries (all entries if fewer).
   * {@code loss} must not change {@code analytic}'s values, or {@code analytic} must be a copy.
   */
  public static double maxRelativeError(
      DoubleSupplier loss, INDArray x, INDArray analytic, int samples, long seed) {
    double worst = 0;
    for (long index : sample(x.length(), samples, seed)) {
      double numeric = derivative(loss, x, index);
      worst = Math.max(worst, relativeError(analytic.getDouble(index), numeric));
    }
    return worst;
  }

  /**
   * Checks every parameter tensor of a model: {@code computeGradients} runs forward, loss and
   * backward and returns the loss, filling {@code gradients}; {@code slices} names the views of
   * the parameter and gradient buffers. Returns the largest relative error per tensor.
   */
  public static Map<String, Double> checkTensors(
      DoubleSupplier computeGradients,
      Map<String, INDArray[]> slices,
      int samplesPerTensor,
      long seed) {
    computeGradients.getAsDouble();
    Map<String, INDArray> analytic = new LinkedHashMap<>();
    slices.forEach((name, pair) -> analytic.put(name, pair[1].dup()));
    Map<String, Double> errors = new LinkedHashMap<>();
    slices.forEach(
        (name, pair) ->
            errors.put(
                name,
                maxRelativeError(
                    computeGradients, pair[0].reshape(pair[0].length()),
                    analytic.get(name).reshape(pair[0].length()), samplesPerTensor, seed)));
    return errors;
  }

  private static List<Long> sample(long length, int samples, long seed) {
    List<Long> indices = new ArrayList<>();
    if (length <= samples) {
      for (long i = 0; i < length; i++) {
        indices.add(i);
      }
      return indices;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < samples; i++) {
      indices.add(random.nextLong(length));
    }
    return indices;
  }

  private static void requireDouble(INDArray x) {
    if (x.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException("finite differences need float64, got " + x.dataType());
    }
  }
}
