package dev.kiln.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Moves values between ND4J arrays and plain {@code double[]}, for reference computations. */
public final class PlainArrays {

  private PlainArrays() {}

  /** The values of {@code x} in row-major order. */
  public static double[] values(INDArray x) {
    return x.dup('c').reshape(x.length()).toDoubleVector();
  }

  /** A new float64 array of {@code shape} holding {@code values} in row-major order. */
  public static INDArray doubles(double[] values, long... shape) {
    return Nd4j.createFromArray(values.clone()).reshape('c', shape).castTo(DataType.DOUBLE);
  }

  /** Fails at the first entry where {@code actual} differs from {@code expected} by more than {@code tolerance}. */
  public static void assertAllClose(double[] expected, double[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(expected[i] - actual[i]) <= tolerance)) {
        fail(what + ": entry " + i + " is " + actual[i] + ", expected " + expected[i]
            + " (difference " + Math.abs(expected[i] - actual[i]) + " > " + tolerance + ")");
      }
    }
  }

  /** {@link #assertAllClose(double[], double[], double, String)} against an array's values. */
  public static void assertAllClose(double[] expected, INDArray actual, double tolerance, String what) {
    assertAllClose(expected, values(actual), tolerance, what);
  }

  /** {@code sum(a * b)}. */
  public static double dot(double[] a, double[] b) {
    assertEquals(a.length, b.length, "dot: lengths");
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
