package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dense's fused bias and ReLU ({@link Dense#forwardRelu}, {@link BiasRelu}): the same bits as the
 * bias add and the ReLU kernel one after the other, on every path (lanes, the plain float loop,
 * float64), NaN, infinities and -0.0 included; the fused ReLU and bias gradients ({@link
 * Dense#backwardRelu}) the bits of ReLU's gradient and the row sums; gradients through both
 * against finite differences in float64, and float32 against float64; no heap in lanes.
 */
class BiasReluTest {

  /** Row lengths: shorter than a vector, whole vectors of 8 and 16 lanes, and between. */
  private static final int[] UNITS = {1, 7, 8, 16, 17, 37, 512};

  private static final float[] SPECIAL = {
    Float.NaN, -Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
    Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f
  };

  @Test
  void everyPathGivesTheTwoPassesBits() {
    for (int units : UNITS) {
      for (boolean withBias : new boolean[] {true, false}) {
        String what = units + " units" + (withBias ? " with bias" : " without bias");
        INDArray z = floats(11 + units, 9, units);
        INDArray bias = withBias ? floats(13 + units, units) : null;

        INDArray twoPasses = z.dup();
        if (withBias) {
          JavaLoops.addBias(twoPasses, bias);
        }
        JavaLoops.relu(twoPasses);

        INDArray fused = z.dup();
        BiasRelu.apply(fused, bias);
        assertSameBits(twoPasses, fused, what + (VectorApi.ENABLED ? ", lanes" : ", plain"));

        INDArray plain = z.dup();
        BiasRelu.applyFloats((Elements.Floats) Elements.of(plain),
            withBias ? (Elements.Floats) Elements.of(bias) : null);
        assertSameBits(twoPasses, plain, what + ", plain float loop");

        INDArray doubles = z.castTo(DataType.DOUBLE);
        BiasRelu.apply(doubles, withBias ? bias.castTo(DataType.DOUBLE) : null);
        INDArray doublesTwoPasses = z.castTo(DataType.DOUBLE);
        if (withBias) {
          JavaLoops.addBias(doublesTwoPasses, bias.castTo(DataType.DOUBLE));
        }
        JavaLoops.relu(doublesTwoPasses);
        double[] expected = doublesTwoPasses.reshape(doublesTwoPasses.length()).toDoubleVector();
        double[] actual = doubles.reshape(doubles.length()).toDoubleVector();
        for (int i = 0; i < expected.length; i++) {
          assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(actual[i]),
              what + ", float64: element " + i);
        }
      }
    }
  }

  @Test
  void gradientPassGivesTheTwoKernelsBits() {
    for (int units : UNITS) {
      String what = units + " units";
      INDArray y = floats(17 + units, 9, units);
      INDArray dy = floats(19 + units, 9, units);
      INDArray expected = dy.dup();
      INDArray expectedSums = Nd4j.zeros(DataType.FLOAT, units);
      Relu.backward(y, expected);
      JavaLoops.sumRows(expected, expectedSums);

      INDArray actual = dy.dup();
      INDArray sums = Nd4j.zeros(DataType.FLOAT, units).assign(Float.NaN);
      BiasRelu.gradient(y, actual, sums);
      String path = VectorApi.ENABLED ? ", lanes" : ", plain";
      assertSameBits(expected, actual, what + ": gradient" + path);
      assertSameBits(expectedSums, sums, what + ": bias gradient" + path);
    }
  }

  @Test
  void gradientsThroughForwardReluMatchFiniteDifferences() {
    long[] xShape = {6, 5};
    int units = 19;
    INDArray x = RandomArrays.uniform(1, xShape).subi(0.5);
    INDArray kernel = RandomArrays.uniform(2, 5, units).subi(0.5);
    INDArray bias = RandomArrays.uniform(3, units).subi(0.5);
    INDArray r = RandomArrays.uniform(4, 6, units);
    INDArray out = KernelChecks.nans(6, units);
    Runnable forward = () -> Dense.forwardRelu(x, kernel, bias, out);
    Gradients float64 = Gradients.of(x, kernel, bias, r);

    KernelChecks.assertGradient("dKernel", forward, out, r, kernel, float64.kernel);
    KernelChecks.assertGradient("dBias", forward, out, r, bias, float64.bias);
    KernelChecks.assertGradient("dx", forward, out, r, x, float64.x);

    DataType f = DataType.FLOAT;
    INDArray out32 = NdArrays.zeros(f, 6, units);
    Dense.forwardRelu(x.castTo(f), kernel.castTo(f), bias.castTo(f), out32);
    forward.run();
    KernelChecks.assertCloseToFloat64(out, out32, "float32 output");
    Gradients float32 = Gradients.of(x.castTo(f), kernel.castTo(f), bias.castTo(f), r.castTo(f));
    KernelChecks.assertCloseToFloat64(float64.kernel, float32.kernel, "float32 dKernel");
    KernelChecks.assertCloseToFloat64(float64.bias, float32.bias, "float32 dBias");
    KernelChecks.assertCloseToFloat64(float64.x, float32.x, "float32 dx");
  }

  @Test
  void warmedUpPassesInLanesAllocateAlmostNoHeap() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    long fewest = FreshJvm.bytesPerCall(BiasReluTest.class, "fewestBytesPerPass", null);
    // The five lanes views of the two calls, about 110 bytes each, are the only objects left.
    assertTrue(fewest <= 1024, "a warmed-up forward and backward pass on 64 x 512 allocated "
        + fewest + " bytes");
  }

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytesPerPass() {
    INDArray out = floats(3, 64, 512);
    INDArray bias = floats(5, 512);
    INDArray dy = floats(7, 64, 512);
    INDArray dBias = Nd4j.zeros(DataType.FLOAT, 512);
    return HeapPerCall.fewestBytes(() -> {
      BiasRelu.apply(out, bias);
      BiasRelu.gradient(out, dy, dBias);
    }, 50, 1024);
  }

  /** The analytic gradients of {@code sum(forwardRelu(x) * r)}, by {@link Dense#backwardRelu}. */
  private record Gradients(INDArray kernel, INDArray bias, INDArray x) {
    static Gradients of(INDArray x, INDArray kernel, INDArray bias, INDArray r) {
      DataType type = x.dataType();
      INDArray out = NdArrays.zeros(type, x.size(0), kernel.size(1));
      Dense.forwardRelu(x, kernel, bias, out);
      Gradients g = new Gradients(NdArrays.zeros(type, kernel.shape()),
          NdArrays.zeros(type, bias.shape()), NdArrays.zeros(type, x.shape()));
      Dense.backwardRelu(x, kernel, out, r.dup(), g.kernel, g.bias, g.x);
      return g;
    }
  }

  /** Random values of both signs, the special values among them. */
  private static INDArray floats(long seed, long... shape) {
    Random random = new Random(seed);
    INDArray array = Nd4j.zeros(DataType.FLOAT, shape);
    float[] values = new float[(int) array.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(5) == 0
          ? SPECIAL[random.nextInt(SPECIAL.length)]
          : (float) random.nextGaussian();
    }
    return array.assign(Nd4j.createFromArray(values).reshape(shape));
  }

  private static void assertSameBits(INDArray expected, INDArray actual, String what) {
    float[] e = expected.reshape(expected.length()).toFloatVector();
    float[] a = actual.reshape(actual.length()).toFloatVector();
    assertEquals(e.length, a.length, what + ": length");
    for (int i = 0; i < e.length; i++) {
      // Any NaN is the same NaN (an add may keep either operand's payload); -0.0 is not 0.0.
      assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(a[i]),
          what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
    }
  }
}
