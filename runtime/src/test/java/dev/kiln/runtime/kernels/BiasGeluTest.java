package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dense's fused bias and GELU ({@link Dense#forwardGelu}, {@link BiasGelu}): the bits of the bias
 * pass followed by {@link Gelu} on every path (lanes, double-precision loops on float32 and
 * float64), on one thread and in two halves; the fused gradient the bits of GELU's gradient and
 * its bias sums those of the rows; gradients through both against finite differences in float64
 * and in float32 on each float32 path; no heap in lanes.
 */
class BiasGeluTest {

  /** Row lengths: shorter than a vector, whole vectors, between, and a chunk's half. */
  private static final int[] UNITS = {1, 7, 16, 17, 37, 512};

  /** Rows per case: a small array, and one past {@link Gelu#TWO_THREADS} at 512 units. */
  private static final int[] ROWS = {9, 130};

  @Test
  void forwardGivesTheTwoPassesBits() {
    for (int units : UNITS) {
      for (int rows : ROWS) {
        for (boolean withBias : new boolean[] {true, false}) {
          String what = rows + " x " + units + (withBias ? " with bias" : " without bias");
          INDArray product = gaussian(11 + units + rows, rows, units);
          INDArray bias = withBias ? gaussian(13 + units, units) : null;
          INDArray z = product.dup();
          if (withBias) {
            JavaLoops.addBias(z, bias);
          }
          INDArray expected = nans(rows, units);
          Gelu.forward(z, expected);
          INDArray direct = nans(rows, units);
          BiasGelu.forward(product, bias, direct);
          assertSameLanesBits(expected, direct, VectorApi.ENABLED,
              what + (VectorApi.ENABLED ? ", lanes" : ", loops"));

          INDArray loopsExpected = nans(rows, units);
          Gelu.forwardInLoops(z, loopsExpected);
          INDArray loops = nans(rows, units);
          BiasGelu.forwardInLoops(product, bias, loops);
          assertSameBits(loopsExpected, loops, what + ", float32 loops");

          INDArray z64 = product.castTo(DataType.DOUBLE);
          if (withBias) {
            JavaLoops.addBias(z64, bias.castTo(DataType.DOUBLE));
          }
          INDArray expected64 = z64.like().assign(Double.NaN);
          Gelu.forwardInLoops(z64, expected64);
          INDArray actual64 = z64.like().assign(Double.NaN);
          BiasGelu.forward(product.castTo(DataType.DOUBLE),
              withBias ? bias.castTo(DataType.DOUBLE) : null, actual64);
          assertSameBits(expected64, actual64, what + ", float64");
        }
      }
    }
  }

  @Test
  void backwardGivesGelusGradientBitsAndTheRowSums() {
    for (int units : UNITS) {
      for (int rows : ROWS) {
        String what = rows + " x " + units;
        INDArray product = gaussian(17 + units + rows, rows, units);
        INDArray bias = gaussian(19 + units, units);
        INDArray dy = gaussian(23 + units + rows, rows, units);
        INDArray z = product.dup();
        JavaLoops.addBias(z, bias);
        for (boolean inLanes : VectorApi.ENABLED ? new boolean[] {true, false}
            : new boolean[] {false}) {
          String path = what + (inLanes ? ", lanes" : ", loops");
          INDArray expected = dy.dup();
          if (inLanes) {
            Gelu.backward(z, expected);
          } else {
            Gelu.backwardInLoops(z, expected);
          }
          INDArray actual = dy.dup();
          INDArray sums = Nd4j.zeros(DataType.FLOAT, units).assign(Float.NaN);
          BiasGelu.backward(product, bias, actual, sums, inLanes);
          assertSameLanesBits(expected, actual, inLanes, path + ": gradient");
          double[] gradient = PlainArrays.values(expected);
          for (int j = 0; j < units; j++) {
            double sum = 0;
            double magnitude = 0;
            for (int i = 0; i < rows; i++) {
              sum += gradient[i * units + j];
              magnitude += Math.abs(gradient[i * units + j]);
            }
            // float32 sums of 64 rows at most: 64 roundings of 2^-24 of the magnitude, and one
            assertEquals(sum, sums.getFloat(j), 64 * 0x1p-24 * magnitude + Math.ulp((float) sum),
                path + ": bias gradient " + j);
          }
        }
      }
    }
  }

  @Test
  void trainingForwardLeavesTheValuesAndSlopesOfTheTwoPasses() {
    for (int units : UNITS) {
      for (int rows : ROWS) {
        String what = rows + " x " + units;
        INDArray product = gaussian(29 + units + rows, rows, units);
        INDArray bias = gaussian(31 + units, units);
        INDArray dy = gaussian(37 + units + rows, rows, units);
        for (boolean inLanes : VectorApi.ENABLED ? new boolean[] {true, false}
            : new boolean[] {false}) {
          String path = what + (inLanes ? ", lanes" : ", loops");
          INDArray expectedValues = nans(rows, units);
          INDArray expectedGradient = dy.dup();
          INDArray expectedSums = Nd4j.zeros(DataType.FLOAT, units);
          if (inLanes) {
            BiasGelu.forward(product, bias, expectedValues);
          } else {
            BiasGelu.forwardInLoops(product, bias, expectedValues);
          }
          BiasGelu.backward(product, bias, expectedGradient, expectedSums, inLanes);

          INDArray values = product.dup();
          INDArray slope = nans(rows, units);
          if (inLanes) {
            BiasGelu.forwardWithSlope(values, bias, slope);
          } else {
            BiasGelu.forwardWithSlopeInLoops(values, bias, slope);
          }
          assertSameLanesBits(expectedValues, values, inLanes, path + ": values");
          INDArray gradient = dy.dup();
          INDArray sums = Nd4j.zeros(DataType.FLOAT, units).assign(Float.NaN);
          BiasGelu.backwardFromSlope(slope, gradient, sums, inLanes);
          INDArray unsummed = dy.dup();
          BiasGelu.backwardFromSlope(slope, unsummed, null, inLanes);
          assertSameBits(gradient, unsummed, path + ": gradient without the bias sums");
          // plain loops: the slope rounds to float32 before the product, one rounding more, which
          // for a subnormal slope is half of Float.MIN_VALUE, times dy; lanes: the two passes'
          // exponentials may come from different code (see assertSameLanesBits)
          double[] e = PlainArrays.values(expectedGradient);
          double[] a = PlainArrays.values(gradient);
          double[] d = PlainArrays.values(dy);
          for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], Math.ulp((float) e[i]) + Math.abs(d[i]) * Float.MIN_VALUE,
                path + ": gradient " + i);
          }
          double[] g = PlainArrays.values(gradient);
          for (int j = 0; j < units; j++) {
            double magnitude = 0;
            for (int i = 0; i < rows; i++) {
              magnitude += Math.abs(g[i * units + j]);
            }
            // each term one float32 unit apart at most, and the sums' own rounding
            assertEquals(expectedSums.getFloat(j), sums.getFloat(j), 0x1p-23 * magnitude
                + 2 * Math.ulp(expectedSums.getFloat(j)), path + ": bias gradient " + j);
          }
        }
        INDArray product64 = product.castTo(DataType.DOUBLE);
        INDArray bias64 = bias.castTo(DataType.DOUBLE);
        INDArray expected64 = product64.like();
        BiasGelu.forward(product64, bias64, expected64);
        INDArray expectedGradient64 = dy.castTo(DataType.DOUBLE);
        BiasGelu.backward(product64, bias64, expectedGradient64, null);
        INDArray values64 = product64.dup();
        INDArray slope64 = product64.like();
        BiasGelu.forwardWithSlope(values64, bias64, slope64);
        INDArray gradient64 = dy.castTo(DataType.DOUBLE);
        BiasGelu.backwardFromSlope(slope64, gradient64, null);
        assertSameBits(expected64, values64, what + ", float64: values");
        assertSameBits(expectedGradient64, gradient64, what + ", float64: gradient");
      }
    }
  }

  @Test
  void gradientsThroughTheTrainingPassMatchFiniteDifferences() {
    checkTrainingPassGradients(19);
    checkTrainingPassGradients(32); // rows of whole vectors: the slope's lanes on the arrays
  }

  private static void checkTrainingPassGradients(int units) {
    INDArray x = RandomArrays.uniform(41, 6, 5).subi(0.5).muli(4);
    INDArray kernel = RandomArrays.uniform(42, 5, units).subi(0.5);
    INDArray bias = RandomArrays.uniform(43, units).subi(0.5);
    INDArray r = RandomArrays.uniform(44, 6, units);
    INDArray slope = KernelChecks.nans(6, units);
    INDArray out = KernelChecks.nans(6, units);
    Runnable forward = () -> Dense.forwardGelu(x, kernel, bias, slope, out, true);
    Gradients float64 = Gradients.fromSlope(x, kernel, bias, r, true);
    KernelChecks.assertGradient("dKernel", forward, out, r, kernel, float64.kernel);
    KernelChecks.assertGradient("dBias", forward, out, r, bias, float64.bias);
    KernelChecks.assertGradient("dx", forward, out, r, x, float64.x);

    DataType f = DataType.FLOAT;
    for (boolean inLanes : VectorApi.ENABLED ? new boolean[] {true, false}
        : new boolean[] {false}) {
      String path = inLanes ? "lanes " : "loops ";
      Gradients float32 = Gradients.fromSlope(x.castTo(f), kernel.castTo(f), bias.castTo(f),
          r.castTo(f), inLanes);
      KernelChecks.assertCloseToFloat64(float64.kernel, float32.kernel, path + "float32 dKernel");
      KernelChecks.assertCloseToFloat64(float64.bias, float32.bias, path + "float32 dBias");
      KernelChecks.assertCloseToFloat64(float64.x, float32.x, path + "float32 dx");

      INDArray x32 = x.castTo(f);
      INDArray kernel32 = kernel.castTo(f);
      INDArray bias32 = bias.castTo(f);
      INDArray r32 = r.castTo(f);
      INDArray out32 = NdArrays.zeros(f, 6, units);
      INDArray slope32 = NdArrays.zeros(f, 6, units);
      Runnable forward32 = () -> {
        Matmul.rows(x32, kernel32, out32, false, false);
        if (inLanes) {
          BiasGelu.forwardWithSlope(out32, bias32, slope32);
        } else {
          BiasGelu.forwardWithSlopeInLoops(out32, bias32, slope32);
        }
      };
      Gradients g = Gradients.fromSlope(x32, kernel32, bias32, r32, inLanes);
      Float32Gradients.assertGradient(path + "dKernel", forward32, out32, r32, kernel32, g.kernel);
      Float32Gradients.assertGradient(path + "dBias", forward32, out32, r32, bias32, g.bias);
      Float32Gradients.assertGradient(path + "dx", forward32, out32, r32, x32, g.x);
    }
  }

  @Test
  void gradientsThroughForwardGeluMatchFiniteDifferences() {
    int units = 19;
    INDArray x = RandomArrays.uniform(1, 6, 5).subi(0.5).muli(4);
    INDArray kernel = RandomArrays.uniform(2, 5, units).subi(0.5);
    INDArray bias = RandomArrays.uniform(3, units).subi(0.5);
    INDArray r = RandomArrays.uniform(4, 6, units);
    INDArray product = KernelChecks.nans(6, units);
    INDArray out = KernelChecks.nans(6, units);
    Runnable forward = () -> Dense.forwardGelu(x, kernel, bias, product, out);
    Gradients float64 = Gradients.of(x, kernel, bias, r, true);

    KernelChecks.assertGradient("dKernel", forward, out, r, kernel, float64.kernel);
    KernelChecks.assertGradient("dBias", forward, out, r, bias, float64.bias);
    KernelChecks.assertGradient("dx", forward, out, r, x, float64.x);

    DataType f = DataType.FLOAT;
    INDArray out32 = NdArrays.zeros(f, 6, units);
    Dense.forwardGelu(x.castTo(f), kernel.castTo(f), bias.castTo(f), NdArrays.zeros(f, 6, units),
        out32);
    forward.run();
    KernelChecks.assertCloseToFloat64(out, out32, "float32 output");
    for (boolean inLanes : VectorApi.ENABLED ? new boolean[] {true, false}
        : new boolean[] {false}) {
      String path = inLanes ? "lanes " : "loops ";
      Gradients float32 = Gradients.of(x.castTo(f), kernel.castTo(f), bias.castTo(f),
          r.castTo(f), inLanes);
      KernelChecks.assertCloseToFloat64(float64.kernel, float32.kernel, path + "float32 dKernel");
      KernelChecks.assertCloseToFloat64(float64.bias, float32.bias, path + "float32 dBias");
      KernelChecks.assertCloseToFloat64(float64.x, float32.x, path + "float32 dx");
    }
  }

  @Test
  void float32GradientsMatchFloat32FiniteDifferencesOnEachPath() {
    DataType f = DataType.FLOAT;
    int units = 37;
    INDArray x = RandomArrays.uniform(5, 7, 6).subi(0.5).muli(4).castTo(f);
    INDArray kernel = RandomArrays.uniform(6, 6, units).subi(0.5).castTo(f);
    INDArray bias = RandomArrays.uniform(7, units).subi(0.5).castTo(f);
    INDArray r = RandomArrays.uniform(8, 7, units).castTo(f);
    INDArray product = NdArrays.zeros(f, 7, units);
    INDArray out = NdArrays.zeros(f, 7, units);
    for (boolean inLanes : VectorApi.ENABLED ? new boolean[] {true, false}
        : new boolean[] {false}) {
      String path = inLanes ? "lanes " : "loops ";
      Runnable forward = () -> {
        Matmul.rows(x, kernel, product, false, false);
        if (inLanes) {
          BiasGelu.forward(product, bias, out);
        } else {
          BiasGelu.forwardInLoops(product, bias, out);
        }
      };
      Gradients g = Gradients.of(x, kernel, bias, r, inLanes);
      Float32Gradients.assertGradient(path + "dKernel", forward, out, r, kernel, g.kernel);
      Float32Gradients.assertGradient(path + "dBias", forward, out, r, bias, g.bias);
      Float32Gradients.assertGradient(path + "dx", forward, out, r, x, g.x);
    }
  }

  @Test
  void warmedUpPassesInLanesAllocateAlmostNoHeap() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    long fewest = FreshJvm.bytesPerCall(BiasGeluTest.class, "fewestBytesPerPass", null);
    // The lanes views and the two halves' tasks are the only objects left.
    assertTrue(fewest <= 2048, "a warmed-up forward and backward pass on 64 x 64 x 512 allocated "
        + fewest + " bytes");
  }

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytesPerPass() {
    INDArray product = gaussian(3, 64 * 64, 512);
    INDArray bias = gaussian(5, 512);
    INDArray y = NdArrays.zeros(DataType.FLOAT, 64 * 64, 512);
    INDArray dy = gaussian(7, 64 * 64, 512);
    INDArray dBias = Nd4j.zeros(DataType.FLOAT, 512);
    return HeapPerCall.fewestBytes(() -> {
      BiasGelu.forward(product, bias, y);
      BiasGelu.backward(product, bias, dy, dBias);
    }, 10, 4096); // short rounds: a loaded machine runs the cold first round slowly
  }

  @Test
  void warmedUpTrainingPassesInLanesAllocateAlmostNoHeap() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    long fewest = FreshJvm.bytesPerCall(BiasGeluTest.class, "fewestBytesPerTrainingPass", null);
    assertTrue(fewest <= 2048, "a warmed-up forward pass with slopes and backward pass from them"
        + " on 64 x 64 x 512 allocated " + fewest + " bytes");
  }

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytesPerTrainingPass() {
    INDArray y = gaussian(3, 64 * 64, 512);
    INDArray bias = gaussian(5, 512);
    INDArray slope = NdArrays.zeros(DataType.FLOAT, 64 * 64, 512);
    INDArray dy = gaussian(7, 64 * 64, 512);
    INDArray dBias = Nd4j.zeros(DataType.FLOAT, 512);
    return HeapPerCall.fewestBytes(() -> {
      BiasGelu.forwardWithSlope(y, bias, slope);
      BiasGelu.backwardFromSlope(slope, dy, dBias); // repeated GELUs of y stay finite
    }, 10, 4096); // short rounds: a loaded machine runs the cold first round slowly
  }

  /**
   * The analytic gradients of {@code sum(forwardGelu(x) * r)}, by {@link Dense#backwardGelu} or,
   * with {@code inLanes} false, by the loops' backward pass and the products.
   */
  private record Gradients(INDArray kernel, INDArray bias, INDArray x) {
    static Gradients of(INDArray x, INDArray kernel, INDArray bias, INDArray r, boolean inLanes) {
      DataType type = x.dataType();
      INDArray product = NdArrays.zeros(type, x.size(0), kernel.size(1));
      INDArray out = NdArrays.zeros(type, x.size(0), kernel.size(1));
      Dense.forwardGelu(x, kernel, bias, product, out);
      Gradients g = new Gradients(NdArrays.zeros(type, kernel.shape()),
          NdArrays.zeros(type, bias.shape()), NdArrays.zeros(type, x.shape()));
      INDArray dOut = r.dup();
      if (inLanes || type != DataType.FLOAT) {
        Dense.backwardGelu(x, kernel, bias, product, dOut, g.kernel, g.bias, g.x);
      } else {
        BiasGelu.backward(product, bias, dOut, g.bias, false);
        Matmul.rows(x, dOut, g.kernel, true, false);
        Matmul.rows(dOut, kernel, g.x, false, true);
      }
      return g;
    }

    /**
     * The same through a training pass: {@link Dense#forwardGelu} with its slope and {@link
     * Dense#backwardGeluFromSlope} or, with {@code inLanes} false, the loops and the products.
     */
    static Gradients fromSlope(INDArray x, INDArray kernel, INDArray bias, INDArray r,
        boolean inLanes) {
      DataType type = x.dataType();
      INDArray slope = NdArrays.zeros(type, x.size(0), kernel.size(1));
      INDArray out = NdArrays.zeros(type, x.size(0), kernel.size(1));
      Gradients g = new Gradients(NdArrays.zeros(type, kernel.shape()),
          NdArrays.zeros(type, bias.shape()), NdArrays.zeros(type, x.shape()));
      INDArray dOut = r.dup();
      if (inLanes || type != DataType.FLOAT) {
        Dense.forwardGelu(x, kernel, bias, slope, out, true);
        Dense.backwardGeluFromSlope(x, kernel, slope, dOut, g.kernel, g.bias, g.x);
      } else {
        Matmul.rows(x, kernel, out, false, false);
        BiasGelu.forwardWithSlopeInLoops(out, bias, slope);
        BiasGelu.backwardFromSlope(slope, dOut, g.bias, false);
        Matmul.rows(x, dOut, g.kernel, true, false);
        Matmul.rows(dOut, kernel, g.x, false, true);
      }
      return g;
    }
  }

  /** Gaussian values of spread 3, GELU's curved part and its tails, as float32. */
  private static INDArray gaussian(long seed, long... shape) {
    SplittableRandom random = new SplittableRandom(seed);
    INDArray array = Nd4j.zeros(DataType.FLOAT, shape);
    float[] values = new float[(int) array.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (3 * random.nextGaussian());
    }
    return array.assign(Nd4j.createFromArray(values).reshape(shape));
  }

  private static INDArray nans(long... shape) {
    return NdArrays.zeros(DataType.FLOAT, shape).assign(Float.NaN);
  }

  /**
   * The same bits, but in lanes one float32 unit either way: {@code VectorOperators.EXP} is the
   * CPU's vector routine in C2-compiled code and {@code Math.exp} per lane in code C2 has not
   * compiled yet, and the two passes compared here reach it through different callers, which the
   * JIT compiles at different times (one unit apart in two of five runs of this test alone).
   */
  private static void assertSameLanesBits(
      INDArray expected, INDArray actual, boolean inLanes, String what) {
    if (!inLanes) {
      assertSameBits(expected, actual, what);
      return;
    }
    double[] e = PlainArrays.values(expected);
    double[] a = PlainArrays.values(actual);
    assertEquals(e.length, a.length, what + ": length");
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], Math.ulp((float) e[i]), what + ": element " + i);
    }
  }

  private static void assertSameBits(INDArray expected, INDArray actual, String what) {
    double[] e = PlainArrays.values(expected);
    double[] a = PlainArrays.values(actual);
    assertEquals(e.length, a.length, what + ": length");
    for (int i = 0; i < e.length; i++) {
      assertEquals(Double.doubleToLongBits(e[i]), Double.doubleToLongBits(a[i]),
          what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
    }
  }
}
