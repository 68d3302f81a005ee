package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' LayerNormalization over the trailing {@code features} values of each row: {@code y =
 * gamma * xhat + beta} with {@code xhat = (x - mean) / sqrt(variance + epsilon)}, the mean and
 * the biased variance taken over the row. The backward pass recomputes each row's statistics
 * (two passes over {@code x}) rather than keeping them, and computes every gradient in one pass
 * per row. Java loops in the arrays' memory, statistics in double precision.
 */
public final class LayerNormalization {

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
    Elements in = elements(x);
    Elements y = Elements.of(out);
    Elements scale = gamma == null ? null : elements(gamma);
    Elements offset = beta == null ? null : elements(beta);
    for (long start = 0, n = in.length(); start < n; start += features) {
      double mean = mean(in, start, features);
      double inverse = 1 / Math.sqrt(variance(in, start, features, mean) + epsilon);
      for (long j = 0; j < features; j++) {
        double value = (in.get(start + j) - mean) * inverse;
        if (scale != null) {
          value *= scale.get(j);
        }
        if (offset != null) {
          value += offset.get(j);
        }
        y.set(start + j, value);
      }
    }
  }

  /**
   * The gradients, fused: with {@code g = dOut * gamma} per row, {@code dx = (g - mean(g) - xhat *
   * mean(g * xhat)) / sqrt(variance + epsilon)}; {@code dGamma = sum(dOut * xhat)} and {@code
   * dBeta = sum(dOut)} over the rows.
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
    Elements in = elements(x);
    Elements gradient = elements(dOut);
    Elements scale = gamma == null ? null : elements(gamma);
    Elements scaleGradient = dGamma == null ? null : Elements.of(dGamma);
    Elements offsetGradient = dBeta == null ? null : Elements.of(dBeta);
    Elements inputGradient = dx == null ? null : Elements.of(dx);
    if (scaleGradient != null) {
      scaleGradient.fill(0, features, 0);
    }
    if (offsetGradient != null) {
      offsetGradient.fill(0, features, 0);
    }
    for (long start = 0, n = in.length(); start < n; start += features) {
      double mean = mean(in, start, features);
      double inverse = 1 / Math.sqrt(variance(in, start, features, mean) + epsilon);
      double sumG = 0;
      double sumGXhat = 0;
      for (long j = 0; j < features; j++) {
        double d = gradient.get(start + j);
        double xhat = (in.get(start + j) - mean) * inverse;
        double g = scale == null ? d : d * scale.get(j);
        sumG += g;
        sumGXhat += g * xhat;
        if (scaleGradient != null) {
          scaleGradient.set(j, scaleGradient.get(j) + d * xhat);
        }
        if (offsetGradient != null) {
          offsetGradient.set(j, offsetGradient.get(j) + d);
        }
      }
      if (inputGradient == null) {
        continue;
      }
      double meanG = sumG / features;
      double meanGXhat = sumGXhat / features;
      for (long j = 0; j < features; j++) {
        double xhat = (in.get(start + j) - mean) * inverse;
        double g = scale == null ? gradient.get(start + j) : gradient.get(start + j) * scale.get(j);
        inputGradient.set(start + j, (g - meanG - xhat * meanGXhat) * inverse);
      }
    }
  }

  private static double mean(Elements x, long start, long features) {
    double sum = 0;
    for (long j = 0; j < features; j++) {
      sum += x.get(start + j);
    }
    return sum / features;
  }

  /** The biased variance (divided by the count, as Keras and PyTorch do), in two passes. */
  private static double variance(Elements x, long start, long features, double mean) {
    double sum = 0;
    for (long j = 0; j < features; j++) {
      double centred = x.get(start + j) - mean;
      sum += centred * centred;
    }
    return sum / features;
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
