package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link BiasRows} through {@link Dense}: arrays past {@link JavaLoops}' limit, in two halves, in
 * lanes (float32 rows of whole vectors) and plain loops (float64, other widths), against plain
 * sums; the lanes against the plain loop bit for bit; Dense's gradients there against finite
 * differences in float64 and against float64 in float32.
 */
class BiasRowsTest {

  /** Row widths: whole vectors, a part of one, and wider than a chunk. */
  private static final int[] UNITS = {128, 100, 5000};

  @AfterEach
  void gatesMeasureAgain() {
    LanesGate.force(null);
  }

  /** {@code rows} rows of {@code units}, past JavaLoops' limit and BiasRows' two-thread size. */
  private static long[] shape(int units) {
    long rows = (JavaLoops.MAX_LENGTH + units) / units + 3;
    return new long[] {rows, units};
  }

  @Test
  void addGivesEachValuePlusItsColumnsBias() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (int units : UNITS) {
        long[] shape = shape(units);
        INDArray x = RandomArrays.uniform(1, shape).castTo(type);
        INDArray bias = RandomArrays.uniform(2, units).castTo(type);
        double[] xv = values(x);
        double[] bv = values(bias);
        Dense.addBias(x, bias);
        double[] got = values(x);
        for (int i = 0; i < xv.length; i++) {
          double expected = type == DataType.FLOAT
              ? (float) ((float) xv[i] + (float) bv[i % units]) : xv[i] + bv[i % units];
          if (got[i] != expected) {
            throw new AssertionError(type + " " + units + " units: value " + i + " is " + got[i]
                + ", expected " + expected);
          }
        }
      }
    }
  }

  @Test
  void sumsAreTheColumnsSums() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (int units : UNITS) {
        long[] shape = shape(units);
        INDArray x = RandomArrays.uniform(3, shape).castTo(type);
        INDArray sums = NdArrays.zeros(type, units);
        Dense.biasGradient(x, sums);
        double[] xv = values(x);
        double[] expected = new double[units];
        for (int i = 0; i < xv.length; i++) {
          expected[i % units] += xv[i];
        }
        // float32: float sums of 64 rows of values in [-1, 1), then float64
        double tolerance = type == DataType.FLOAT ? 2e-5 : 1e-11;
        double[] got = values(sums);
        for (int j = 0; j < units; j++) {
          assertEquals(expected[j], got[j], tolerance, type + " " + units + " units: column " + j);
        }
      }
    }
  }

  @Test
  void coldAndWholeLanesGiveTheSameBits() {
    for (int units : new int[] {128, 48}) {
      INDArray x = RandomArrays.uniform(4, shape(units)).castTo(DataType.FLOAT);
      INDArray bias = RandomArrays.uniform(5, units).castTo(DataType.FLOAT);
      float[][] added = new float[2][];
      float[][] sums = new float[2][];
      boolean[] modes = {true, false};
      for (int m = 0; m < 2; m++) {
        LanesGate.force(modes[m]);
        INDArray y = x.dup();
        BiasRows.add(y, bias);
        added[m] = y.data().asFloat();
        INDArray s = NdArrays.zeros(DataType.FLOAT, units);
        BiasRows.sum(x, s);
        sums[m] = s.data().asFloat();
      }
      assertArrayEquals(added[0], added[1], units + " units: bias add, cold against whole");
      assertArrayEquals(sums[0], sums[1], units + " units: sums, cold against whole");
    }
  }

  @Test
  void denseGradientsPastTheLoopsLimitMatchFiniteDifferences() {
    int units = 224; // whole vectors; (2, 300, 224) is past JavaLoops' limit
    INDArray x = RandomArrays.uniform(6, 2, 300, 8);
    INDArray kernel = RandomArrays.uniform(7, 8, units);
    INDArray bias = RandomArrays.uniform(8, units);
    INDArray r = RandomArrays.uniform(9, 2, 300, units);
    INDArray out = NdArrays.zeros(DataType.DOUBLE, 2, 300, units);
    DoubleSupplier loss = () -> {
      Dense.forward(x, kernel, bias, out);
      return out.mul(r).sumNumber().doubleValue();
    };
    INDArray dKernel = NdArrays.zeros(DataType.DOUBLE, 8, units);
    INDArray dBias = NdArrays.zeros(DataType.DOUBLE, units);
    INDArray dx = NdArrays.zeros(DataType.DOUBLE, 2, 300, 8);
    Dense.backward(x, kernel, r, dKernel, dBias, dx);
    assertTrue(FiniteDifferences.maxRelativeError(loss, bias, dBias, 12, 1) < 1e-6, "bias");
    assertTrue(FiniteDifferences.maxRelativeError(loss, x, dx, 12, 2) < 1e-6, "input");

    // float32, the lanes: within float32 rounding of the float64 gradients of the same values
    INDArray dBias32 = NdArrays.zeros(DataType.FLOAT, units);
    INDArray out32 = NdArrays.zeros(DataType.FLOAT, 2, 300, units);
    Dense.forward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        bias.castTo(DataType.FLOAT), out32);
    Dense.forward(x, kernel, bias, out);
    Dense.biasGradient(r.castTo(DataType.FLOAT), dBias32);
    double[] expectedOut = values(out);
    double[] gotOut = values(out32);
    for (int i = 0; i < expectedOut.length; i++) {
      assertEquals(expectedOut[i], gotOut[i], 1e-5, "float32 output " + i);
    }
    double[] expectedBias = values(dBias);
    double[] gotBias = values(dBias32);
    for (int j = 0; j < units; j++) {
      assertEquals(expectedBias[j], gotBias[j], 1e-4, "float32 bias gradient " + j);
    }
  }
}
