package dev.kiln.runtime.init;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Initializer;
import dev.kiln.runtime.NdArrays;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Keras' initialisers: ranges, spreads, truncation and reproducibility. */
class InitializersTest {

  private static final long FAN_IN = 200;
  private static final long FAN_OUT = 300;

  /**
   * Relative tolerance on a sample variance or deviation of 60000 values (several standard errors).
   */
  private static final double SPREAD = 0.03;

  /** The deviation of a standard normal truncated to [-2, 2]. */
  private static final double TRUNCATED_DEVIATION = 0.87962566103423978;

  @Test
  void glorotUniformIsWithinLimitWithVarianceLimitSquaredOverThree() {
    checkUniform(Initializer.GLOROT_UNIFORM, Math.sqrt(6.0 / (FAN_IN + FAN_OUT)));
  }

  @Test
  void heUniformIsWithinLimitWithVarianceLimitSquaredOverThree() {
    checkUniform(Initializer.HE_UNIFORM, Math.sqrt(6.0 / FAN_IN));
  }

  @Test
  void lecunUniformIsWithinLimitWithVarianceLimitSquaredOverThree() {
    checkUniform(Initializer.LECUN_UNIFORM, Math.sqrt(3.0 / FAN_IN));
  }

  @Test
  void glorotNormalIsTruncatedAtTwoDeviationsWithKerasDeviation() {
    checkTruncatedNormal(Initializer.GLOROT_NORMAL, Math.sqrt(2.0 / (FAN_IN + FAN_OUT)));
  }

  @Test
  void heNormalIsTruncatedAtTwoDeviationsWithKerasDeviation() {
    checkTruncatedNormal(Initializer.HE_NORMAL, Math.sqrt(2.0 / FAN_IN));
  }

  @Test
  void lecunNormalIsTruncatedAtTwoDeviationsWithKerasDeviation() {
    checkTruncatedNormal(Initializer.LECUN_NORMAL, Math.sqrt(1.0 / FAN_IN));
  }

  @Test
  void zerosAndOnesOverwriteEveryValue() {
    INDArray target = Nd4j.rand(DataType.DOUBLE, 3, 4).addi(5);
    Initializers.fill(target, Initializer.ZEROS, 3, 4, new SplittableRandom(1));
    assertAllClose(new double[12], target, 0.0, "zeros");
    Initializers.fill(target, Initializer.ONES, 3, 4, new SplittableRandom(1));
    double[] ones = new double[12];
    Arrays.fill(ones, 1.0);
    assertAllClose(ones, target, 0.0, "ones");
  }

  @ParameterizedTest
  @EnumSource(
      value = Initializer.class,
      names = {"ZEROS", "ONES"},
      mode = EnumSource.Mode.EXCLUDE)
  void sameSeedGivesSameValuesAndAnotherSeedOthers(Initializer kind) {
    double[] first = fill(kind, 1);
    assertArrayEquals(first, fill(kind, 1), kind + ", same seed");
    double[] other = fill(kind, 2);
    assertFalse(Arrays.equals(first, other), kind + ", seeds 1 and 2 gave the same values");
  }

  @Test
  void fillingAViewOfAFlatBufferLeavesTheRestAlone() {
    // Generated models initialise slices of one flat float32 parameter buffer.
    INDArray flat = Nd4j.valueArrayOf(new long[] {20}, 7.0, DataType.FLOAT);
    INDArray kernel = NdArrays.view(flat, 4, 3, 4);
    Initializers.fill(kernel, Initializer.GLOROT_UNIFORM, 3, 4, new SplittableRandom(3));
    double[] all = values(flat);
    double limit = Math.sqrt(6.0 / 7);
    for (int i = 0; i < 20; i++) {
      if (i >= 4 && i < 16) {
        assertTrue(
            Math.abs(all[i]) <= (float) limit && all[i] != 7.0, "entry " + i + " = " + all[i]);
      } else {
        assertEquals(7.0, all[i], 0.0, "entry " + i + " outside the view");
      }
    }
  }

  private static void checkUniform(Initializer kind, double limit) {
    double[] v = fill(kind, 42);
    double max = 0;
    for (double value : v) {
      assertTrue(Math.abs(value) <= limit, kind + ": " + value + " outside +-" + limit);
      max = Math.max(max, Math.abs(value));
    }
    // With 60000 values the extremes come within 0.1% of the limit.
    assertTrue(max > 0.999 * limit, kind + ": largest |value| " + max + ", limit " + limit);
    assertEquals(0, mean(v), 0.02 * limit, kind + ": mean");
    double expectedVariance = limit * limit / 3;
    assertEquals(1, variance(v) / expectedVariance, SPREAD, kind + ": variance / (limit^2 / 3)");
  }

  private static void checkTruncatedNormal(Initializer kind, double deviation) {
    double[] v = fill(kind, 42);
    // Keras draws from a normal of deviation / 0.8796 and truncates at two of its deviations,
    // so the values keep the documented deviation.
    double bound = 2 * deviation / TRUNCATED_DEVIATION;
    double max = 0;
    for (double value : v) {
      assertTrue(Math.abs(value) <= bound, kind + ": " + value + " outside +-" + bound);
      max = Math.max(max, Math.abs(value));
    }
    assertTrue(max > 0.99 * bound, kind + ": largest |value| " + max + ", truncation " + bound);
    assertEquals(0, mean(v), 0.02 * deviation, kind + ": mean");
    assertEquals(1, Math.sqrt(variance(v)) / deviation, SPREAD, kind + ": deviation / expected");
  }

  private static double[] fill(Initializer kind, long seed) {
    INDArray target = Nd4j.zeros(DataType.DOUBLE, FAN_IN, FAN_OUT);
    Initializers.fill(target, kind, FAN_IN, FAN_OUT, new SplittableRandom(seed));
    return values(target);
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double value : v) {
      sum += value;
    }
    return sum / v.length;
  }

  private static double variance(double[] v) {
    double mean = mean(v);
    double sum = 0;
    for (double value : v) {
      sum += (value - mean) * (value - mean);
    }
    return sum / (v.length - 1);
  }

  @Test
  void orthogonalGivesOrthonormalRowsOfAWideAndColumnsOfATallMatrix() {
    // A recurrent kernel (units, 4 units) is wide: its rows are orthonormal.
    assertOrthonormal(filled(Initializer.ORTHOGONAL, 4, 12), true);
    assertOrthonormal(filled(Initializer.ORTHOGONAL, 12, 4), false);
    // Higher ranks are taken as (all axes but the last) by the last.
    assertOrthonormal(filled(Initializer.ORTHOGONAL, 2, 3, 5).reshape(6, 5), false);
  }

  @Test
  void randomUniformStaysWithinKerasDefaultRange() {
    double[] values = values(filled(Initializer.RANDOM_UNIFORM, 50, 40));
    for (double value : values) {
      assertTrue(Math.abs(value) <= 0.05, "value " + value);
    }
    double max = Arrays.stream(values).map(Math::abs).max().orElseThrow();
    assertTrue(max > 0.049, "values should fill the range, max " + max);
  }

  private static INDArray filled(Initializer kind, long... shape) {
    INDArray target = NdArrays.zeros(DataType.DOUBLE, shape);
    Initializers.fill(target, kind, 1, 1, new SplittableRandom(3));
    return target;
  }

  private static void assertOrthonormal(INDArray matrix, boolean rows) {
    INDArray m = rows ? matrix : matrix.transpose();
    int count = (int) m.size(0);
    int length = (int) m.size(1);
    for (int a = 0; a < count; a++) {
      for (int b = 0; b < count; b++) {
        double dot = 0;
        for (int k = 0; k < length; k++) {
          dot += m.getDouble(a, k) * m.getDouble(b, k);
        }
        assertEquals(a == b ? 1.0 : 0.0, dot, 1e-12, (rows ? "rows " : "columns ") + a + ", " + b);
      }
    }
  }
}
