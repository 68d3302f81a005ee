package dev.kiln.runtime.init;

import dev.kiln.Initializer;
import java.util.function.DoubleSupplier;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fills parameter arrays as Keras' initialisers do, from a Java random generator, so that the
 * same seed gives the same weights on every ND4J backend.
 */
public final class Initializers {

  /** Keras divides by this so that a normal truncated at two deviations keeps the deviation. */
  private static final double TRUNCATED_NORMAL_DEVIATION = 0.87962566103423978;

  private Initializers() {}

  /**
   * Fills {@code target} by {@code kind}.
   *
   * @param fanIn inputs per output unit (for a kernel {@code (h, w, in, out)}: {@code h w in})
   * @param fanOut outputs per input unit ({@code h w out})
   */
  public static void fill(
      INDArray target, Initializer kind, long fanIn, long fanOut, RandomGenerator random) {
    Runnable fill =
        switch (kind) {
          case ZEROS -> () -> target.assign(0);
          case ONES -> () -> target.assign(1);
          case GLOROT_UNIFORM -> () -> uniform(target, Math.sqrt(6.0 / (fanIn + fanOut)), random);
          case HE_UNIFORM -> () -> uniform(target, Math.sqrt(6.0 / fanIn), random);
          case LECUN_UNIFORM -> () -> uniform(target, Math.sqrt(3.0 / fanIn), random);
          case RANDOM_UNIFORM -> () -> uniform(target, 0.05, random);
          case GLOROT_NORMAL ->
              () -> truncatedNormal(target, Math.sqrt(2.0 / (fanIn + fanOut)), random);
          case HE_NORMAL -> () -> truncatedNormal(target, Math.sqrt(2.0 / fanIn), random);
          case LECUN_NORMAL -> () -> truncatedNormal(target, Math.sqrt(1.0 / fanIn), random);
          case ORTHOGONAL -> () -> orthogonal(target, random);
        };
    fill.run();
  }

  /**
   * Keras' {@code Orthogonal}: the array seen as a matrix (all axes but the last, by the last)
   * gets orthonormal rows or columns, whichever are fewer, from the QR decomposition of a
   * Gaussian matrix.
   */
  private static void orthogonal(INDArray target, RandomGenerator random) {
    long[] shape = target.shape();
    int columns = Math.toIntExact(shape[shape.length - 1]);
    int rows = Math.toIntExact(target.length() / columns);
    boolean wide = rows < columns;
    // Orthonormalise the columns of a tall matrix (transposed if the target is wide).
    int height = wide ? columns : rows;
    int width = wide ? rows : columns;
    double[][] q = new double[width][height];
    for (int j = 0; j < width; j++) {
      for (int i = 0; i < height; i++) {
        q[j][i] = random.nextGaussian();
      }
    }
    // Modified Gram-Schmidt: R's diagonal comes out positive, which is Keras' sign convention.
    for (int j = 0; j < width; j++) {
      for (int k = 0; k < j; k++) {
        double dot = 0;
        for (int i = 0; i < height; i++) {
          dot += q[k][i] * q[j][i];
        }
        for (int i = 0; i < height; i++) {
          q[j][i] -= dot * q[k][i];
        }
      }
      double norm = 0;
      for (int i = 0; i < height; i++) {
        norm += q[j][i] * q[j][i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < height; i++) {
        q[j][i] /= norm;
      }
    }
    double[] values = new double[rows * columns];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        values[r * columns + c] = wide ? q[r][c] : q[c][r];
      }
    }
    write(target, values);
  }

  private static void uniform(INDArray target, double limit, RandomGenerator random) {
    fillInOrder(target, () -> random.nextDouble(-limit, limit));
  }

  /** A normal of deviation {@code deviation} after truncation at two deviations. */
  private static void truncatedNormal(INDArray target, double deviation, RandomGenerator random) {
    double scale = deviation / TRUNCATED_NORMAL_DEVIATION;
    fillInOrder(target, () -> {
      double sample;
      do {
        sample = random.nextGaussian();
      } while (Math.abs(sample) > 2);
      return sample * scale;
    });
  }

  /**
   * Writes {@code next}'s values into {@code target} in row-major order. A contiguous target (a view
   * of the flat parameter buffer) is written in place, value by value: a whole kernel as a Java
   * array and its native copy took 200 MB that stayed resident after building the U-Net.
   */
  private static void fillInOrder(INDArray target, DoubleSupplier next) {
    // A view's data() starts at the view's first value; it must hold exactly the view's values.
    DataBuffer data = target.data();
    long length = target.length();
    if (!Shape.hasDefaultStridesForShape(target) || target.ordering() != 'c' || data.length() != length) {
      double[] values = new double[Math.toIntExact(target.length())];
      for (int i = 0; i < values.length; i++) {
        values[i] = next.getAsDouble();
      }
      write(target, values);
      return;
    }
    for (long i = 0; i < length; i++) {
      data.put(i, next.getAsDouble());
    }
  }

  private static void write(INDArray target, double[] values) {
    target.assign(Nd4j.createFromArray(values).reshape(target.shape()));
  }
}
