package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GELU's float32 lanes ({@link GeluLanes}) against the float64 kernel, whose {@code erfc} {@link
 * ErfcTest} checks to 4 units in the last place of a double, so that here it is exact: the value
 * within {@link #VALUE_ULPS} float32 units in the last place wherever it is a normal float, the
 * gradient within {@link #GRADIENT_ULPS} units of its larger term; both against central finite
 * differences of themselves in float32, as the float32 loops are.
 */
class GeluLanesTest {

  /**
   * Measured: 3.56 at most, compiled or not (the kernel's own exponential rounds the same both
   * ways), from the polynomials' and the products' rounding (see GeluLanes); 3.8 once compiled
   * with the JDK's vector exp before.
   */
  private static final double VALUE_ULPS = 4;

  /**
   * Measured: 2.63 at most, compiled or not, of the larger of {@code Phi(x)} and {@code |x
   * phi(x)|} (2.9 with the JDK's vector exp, 4.6 before its far tail took two factors).
   */
  private static final double GRADIENT_ULPS = 4;

  /**
   * Central differences of a float32 function: step, and the error they leave (measured: 3.1e-5
   * in lanes and in loops alike, the differences' own truncation and rounding).
   */
  private static final float STEP = 1f / 64;
  private static final double DIFFERENCE_TOLERANCE = 1e-4;

  @Test
  void theTestsRunTheLanesOnX86() {
    String arch = System.getProperty("os.arch");
    assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "the lanes run on x86-64 only");
    assertTrue(VectorApi.ENABLED, "the tests' JVMs start with --add-modules jdk.incubator.vector,"
        + " so float32 GELU should run in lanes");
  }

  /** Every multiple of 1/512 in [-16, 16], then 4,000 random floats there and some small ones. */
  private static float[] arguments() {
    SplittableRandom random = new SplittableRandom(29);
    int grid = 32 * 512 + 1;
    float[] x = new float[grid + 4000 + 11];
    for (int i = 0; i < grid; i++) {
      x[i] = -16 + i / 512f;
    }
    for (int i = grid; i < grid + 4000; i++) {
      x[i] = (float) random.nextDouble(-16, 16);
    }
    float[] small = {0, -0f, 1e-30f, -1e-30f, 1e-8f, -1e-8f, 3e-4f, -3e-4f, 0.75f, -0.7518f,
        Float.MIN_NORMAL};
    System.arraycopy(small, 0, x, grid + 4000, small.length);
    return x; // 20,396 values: whole vectors and a last, partial one
  }

  @Test
  void valuesAreWithinFourUnitsInTheLastPlaceOfFloat64() {
    assumeTrue(VectorApi.ENABLED);
    assertValuesWithinBound();
  }

  @Test
  void gradientsAreWithinFourUnitsInTheLastPlaceOfTheirTerms() {
    assumeTrue(VectorApi.ENABLED);
    assertGradientsWithinBound();
  }

  /**
   * The same bounds once C2 has compiled the kernel, whose vector exp is the JDK's compiled one
   * (before, its Java fallback): which of the two a call gets depends on the JVM's history.
   */
  @Test
  void theBoundsHoldOnceTheKernelIsCompiled() {
    assumeTrue(VectorApi.ENABLED);
    compile();
    assertValuesWithinBound();
    assertGradientsWithinBound();
  }

  /**
   * Runs the kernel until C2 has compiled it, as it has in a model's steady state. Before, some of
   * a call's vectors take the Vector API's Java exp, which may round differently from the compiled
   * one by a unit in the last place.
   */
  private static void compile() {
    INDArray z = NdArrays.zeros(DataType.FLOAT, 1 << 20);
    float[] spread = new float[1 << 20];
    SplittableRandom random = new SplittableRandom(41);
    for (int i = 0; i < spread.length; i++) {
      spread[i] = (float) random.nextDouble(-16, 16);
    }
    z.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(spread));
    INDArray dy = NdArrays.zeros(DataType.FLOAT, 1 << 20);
    for (int i = 0; i < 40; i++) {
      dy.assign(1);
      Gelu.forward(z, dy);
      Gelu.backward(z, dy);
    }
  }

  private static void assertValuesWithinBound() {
    float[] x = arguments();
    float[] y = values(x, Gelu::forward);
    double worst = 0;
    float worstAt = 0;
    for (int i = 0; i < x.length; i++) {
      double expected = Gelu.value(x[i]);
      double error = Math.abs(y[i] - expected);
      double ulps = Math.abs(expected) < Float.MIN_NORMAL
          ? error / Float.MIN_VALUE / 4 // subnormal: a few of the smallest steps
          : error / Math.ulp((float) expected);
      if (ulps > worst) {
        worst = ulps;
        worstAt = x[i];
      }
    }
    assertTrue(worst <= VALUE_ULPS, "gelu in lanes is " + worst + " units off at " + worstAt);
    assertEquals((float) Gelu.value(-40), values(new float[] {-40f}, Gelu::forward)[0],
        "far left: -0.0, as in float64");
    assertEquals(40f, values(new float[] {40f}, Gelu::forward)[0], "far right: x");
  }

  private static void assertGradientsWithinBound() {
    float[] x = arguments();
    float[] ones = new float[x.length];
    java.util.Arrays.fill(ones, 1f);
    float[] d = gradients(x, ones, Gelu::backward);
    double worst = 0;
    float worstAt = 0;
    for (int i = 0; i < x.length; i++) {
      double cdf = 0.5 * Erfc.of(-x[i] / Math.sqrt(2));
      double density = Math.exp(-0.5 * x[i] * x[i]) / Math.sqrt(2 * Math.PI);
      double term = Math.max(cdf, Math.abs(x[i] * density));
      double expected = Gelu.derivative(x[i]);
      double error = Math.abs(d[i] - expected);
      double ulps = term < Float.MIN_NORMAL
          ? error / Float.MIN_VALUE / 4
          : error / Math.ulp((float) term);
      if (ulps > worst) {
        worst = ulps;
        worstAt = x[i];
      }
    }
    assertTrue(worst <= GRADIENT_ULPS, "gelu's gradient in lanes is " + worst
        + " units off at " + worstAt);
  }

  /**
   * Infinities and NaN inside whole vectors (a last, partial vector takes the float64 formula):
   * {@code gelu(+inf) = +inf} and slope 1, as Keras's {@code x Phi(x)} gives; {@code gelu(-inf)}
   * is the limit {@code -0} with slope {@code -0} in lanes (Keras's formula and the float64 kernel
   * give {@code -inf * 0}, NaN); NaN stays NaN.
   */
  @Test
  void infinitiesAndNanInLanes() {
    assumeTrue(VectorApi.ENABLED);
    float[] x = new float[2 * FloatLanes.SPECIES.length()];
    java.util.Arrays.fill(x, 0.5f);
    x[0] = Float.POSITIVE_INFINITY;
    x[1] = Float.NEGATIVE_INFINITY;
    x[2] = Float.NaN;
    x[3] = Float.MAX_VALUE;
    x[4] = -Float.MAX_VALUE;
    float[] ones = new float[x.length];
    java.util.Arrays.fill(ones, 1f);
    float[] y = values(x, Gelu::forward);
    float[] d = gradients(x, ones, Gelu::backward);
    assertEquals(Float.POSITIVE_INFINITY, y[0], "gelu(+inf)");
    assertEquals(1f, d[0], "gelu'(+inf)");
    assertEquals(-0f, y[1], "gelu(-inf)");
    assertEquals(-0f, d[1], "gelu'(-inf)");
    assertTrue(Float.isNaN(y[2]) && Float.isNaN(d[2]), "NaN stays NaN");
    assertEquals(Float.MAX_VALUE, y[3], "gelu(max)");
    assertEquals(1f, d[3], "gelu'(max)");
    assertEquals(-0f, y[4], "gelu(-max)");
    assertEquals((float) Gelu.value(0.5), y[5], 1e-7f, "a finite neighbour");
  }

  @Test
  void lanesGradientMatchesFloat32FiniteDifferences() {
    assumeTrue(VectorApi.ENABLED);
    assertFiniteDifferences("lanes", Gelu::forward, Gelu::backward);
  }

  @Test
  void float32LoopsGradientMatchesFloat32FiniteDifferences() {
    assertFiniteDifferences("loops", Gelu::forwardInLoops, Gelu::backwardInLoops);
  }

  @Test
  void twoHalvesEqualOnePass() {
    assumeTrue(VectorApi.ENABLED);
    compile(); // both runs in compiled code, whose exp is the same on both threads
    int n = (int) Gelu.TWO_THREADS * 2 + 5;
    float[] x = new float[n];
    float[] r = new float[n];
    SplittableRandom random = new SplittableRandom(31);
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextDouble(-6, 6);
      r[i] = (float) random.nextDouble(-1, 1);
    }
    float[] halves = values(x, Gelu::forward);
    float[] one = values(x, (z, y) ->
        GeluLanes.forward(new FloatLanes(z), new FloatLanes(y), 0, n));
    float[] halvesGradient = gradients(x, r, Gelu::backward);
    float[] oneGradient = gradients(x, r, (z, dy) ->
        GeluLanes.backward(new FloatLanes(z), new FloatLanes(dy), 0, n));
    for (int i = 0; i < n; i++) {
      assertEquals(one[i], halves[i], "gelu at " + i);
      assertEquals(oneGradient[i], halvesGradient[i], "gradient at " + i);
    }
  }

  /**
   * The gradient of {@code sum(gelu(x) * r)} from {@code backward}, against central differences
   * of {@code forward} in float32, at 999 values in [-6, 6]: whole vectors and a partial one.
   */
  private static void assertFiniteDifferences(String path, BiConsumer<INDArray, INDArray> forward,
      BiConsumer<INDArray, INDArray> backward) {
    SplittableRandom random = new SplittableRandom(37);
    int n = 999;
    float[] x = new float[n];
    float[] r = new float[n];
    float[] plus = new float[n];
    float[] minus = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextDouble(-6, 6);
      r[i] = (float) random.nextDouble(-1, 1);
      plus[i] = x[i] + STEP;
      minus[i] = x[i] - STEP;
    }
    float[] analytic = gradients(x, r, backward);
    float[] above = values(plus, forward);
    float[] below = values(minus, forward);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      double numeric = r[i] * ((double) above[i] - below[i]) / ((double) plus[i] - minus[i]);
      worst = Math.max(worst, Math.abs(numeric - analytic[i]));
    }
    assertTrue(worst < DIFFERENCE_TOLERANCE, "float32 gelu " + path
        + ": gradient against finite differences off by " + worst);
  }

  private static float[] values(float[] x, BiConsumer<INDArray, INDArray> forward) {
    INDArray z = floats(x);
    INDArray y = NdArrays.zeros(DataType.FLOAT, x.length).assign(Float.NaN);
    forward.accept(z, y);
    // Lanes view native memory without holding the array: z must outlive the call.
    java.lang.ref.Reference.reachabilityFence(z);
    return y.toFloatVector();
  }

  private static float[] gradients(float[] x, float[] r, BiConsumer<INDArray, INDArray> backward) {
    INDArray z = floats(x);
    INDArray dy = floats(r);
    backward.accept(z, dy);
    java.lang.ref.Reference.reachabilityFence(z);
    return dy.toFloatVector();
  }

  private static INDArray floats(float[] values) {
    INDArray array = NdArrays.zeros(DataType.FLOAT, values.length);
    for (int i = 0; i < values.length; i++) {
      array.putScalar(i, values[i]);
    }
    return array;
  }
}
