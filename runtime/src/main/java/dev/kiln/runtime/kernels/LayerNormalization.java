package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' LayerNormalization over the trailing {@code features} values of each row: {@code y =
 * gamma * xhat + beta} with {@code xhat = (x - mean) / sqrt(variance + epsilon)}, the mean and
 * the biased variance taken over the row. The backward pass recomputes each row's statistics
 * (two passes over the row) rather than keeping them, and computes every gradient in one more pass
 * per row. Java loops over each row read once into a Java array, in double precision.
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
