package dev.kiln.runtime.testing;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded random float64 arrays for tests, independent of ND4J's generator. */
public final class RandomArrays {

  private RandomArrays() {}

  /** Uniform in [-1, 1). */
  public static INDArray uniform(long seed, long... shape) {
    SplittableRandom random = new SplittableRandom(seed);
    int length = 1;
    for (long size : shape) {
      length *= (int) size;
    }
    double[] values = new double[length];
    for (int i = 0; i < length; i++) {
      values[i] = random.nextDouble(-1, 1);
    }
    return Nd4j.createFromArray(values).reshape(shape).castTo(DataType.DOUBLE);
  }

  /** Rows of probabilities summing to 1 over the last axis. */
  public static INDArray distributions(long seed, long rows, long classes) {
    INDArray values = uniform(seed, rows, classes).addi(1.5);
    return values.diviColumnVector(values.sum(1).reshape(rows, 1));
  }

  /** One-hot rows with a random class each. */
  public static INDArray oneHot(long seed, long rows, int classes) {
    SplittableRandom random = new SplittableRandom(seed);
    INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, rows, classes);
    for (long row = 0; row < rows; row++) {
      oneHot.putScalar(row, random.nextInt(classes), 1.0);
    }
    return oneHot;
  }
}
