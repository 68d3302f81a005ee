package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import dev.kiln.runtime.testing.TorchFixtures;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Subtract, Average, Maximum, Minimum and Dot against PyTorch in float64 (Dot's normalize as
 * Keras 3's {@code x / max(||x||, 1e-7)}, which the fixture script asks of PyTorch's {@code
 * normalize}), and against finite differences.
 */
class KerasMergesTest {

  private static final long[] SHAPE = {3, 4};

  private static INDArray[] inputs(String name, int count) {
    INDArray[] inputs = new INDArray[count];
    for (int i = 0; i < count; i++) {
      inputs[i] = TorchFixtures.array(name + ".in" + i, SHAPE);
    }
    return inputs;
  }

  @Test
  void subtractEqualsPyTorch() {
    INDArray[] in = inputs("subtract", 2);
    INDArray y = KernelChecks.nans(SHAPE);
    Subtract.forward(y, in[0], in[1]);
    TorchFixtures.assertMatches("subtract.y", y);
    INDArray d0 = KernelChecks.nans(SHAPE);
    INDArray d1 = KernelChecks.nans(SHAPE);
    Subtract.backward(TorchFixtures.array("subtract.r", SHAPE), d0, d1);
    TorchFixtures.assertMatches("subtract.d0", d0);
    TorchFixtures.assertMatches("subtract.d1", d1);
  }

  @Test
  void averageEqualsPyTorch() {
    INDArray[] in = inputs("average", 3);
    INDArray y = KernelChecks.nans(SHAPE);
    Average.forward(y, in);
    TorchFixtures.assertMatches("average.y", y);
    INDArray[] d = {KernelChecks.nans(SHAPE), null, KernelChecks.nans(SHAPE)};
    Average.backward(TorchFixtures.array("average.r", SHAPE), d);
    TorchFixtures.assertMatches("average.d0", d[0]);
    TorchFixtures.assertMatches("average.d2", d[2]);
  }

  @Test
  void maximumAndMinimumEqualPyTorch() {
    for (String name : new String[] {"maximum", "minimum"}) {
      boolean max = name.equals("maximum");
      INDArray[] in = inputs(name, 3);
      INDArray y = KernelChecks.nans(SHAPE);
      if (max) {
        Maximum.forward(y, in);
      } else {
        Minimum.forward(y, in);
      }
      TorchFixtures.assertMatches(name + ".y", y);
      INDArray[] d = {KernelChecks.nans(SHAPE), KernelChecks.nans(SHAPE), KernelChecks.nans(SHAPE)};
      INDArray r = TorchFixtures.array(name + ".r", SHAPE);
      if (max) {
        Maximum.backward(r, in, d);
      } else {
        Minimum.backward(r, in, d);
      }
      for (int i = 0; i < 3; i++) {
        TorchFixtures.assertMatches(name + ".d" + i, d[i]);
      }
    }
  }

  @Test
  void aTieGoesToTheFirstInputAsInKerasOnTensorFlow() {
    INDArray a = PlainArrays.doubles(new double[] {1, 2}, 1, 2);
    INDArray b = PlainArrays.doubles(new double[] {1, 3}, 1, 2);
    INDArray[] d = {KernelChecks.nans(1, 2), KernelChecks.nans(1, 2)};
    Maximum.backward(Nd4j.ones(DataType.DOUBLE, 1, 2), new INDArray[] {a, b}, d);
    assertArrayEquals(new double[] {1, 0}, values(d[0]));
    assertArrayEquals(new double[] {0, 1}, values(d[1]));
  }

  @Test
  void dotEqualsPyTorch() {
    checkDot("dot.vectors", new long[] {4, 5}, new long[] {4, 5}, 1, 1, false, new long[] {4, 1});
    checkDot("dot.cosine", new long[] {4, 5}, new long[] {4, 5}, 1, 1, true, new long[] {4, 1});
    checkDot("dot.matrices", new long[] {2, 3, 5}, new long[] {2, 4, 5}, 2, 2, false,
        new long[] {2, 3, 4});
    checkDot("dot.matrices12", new long[] {2, 5, 3}, new long[] {2, 4, 5}, 1, 2, true,
        new long[] {2, 3, 4});
  }

  private static void checkDot(String name, long[] shapeA, long[] shapeB, int axisA, int axisB,
      boolean normalize, long[] out) {
    INDArray a = TorchFixtures.array(name + ".a", shapeA);
    INDArray b = TorchFixtures.array(name + ".b", shapeB);
    INDArray y = KernelChecks.nans(out);
    Dot.forward(a, b, axisA, axisB, normalize, y);
    TorchFixtures.assertMatches(name + ".y", y);
    INDArray da = KernelChecks.nans(shapeA);
    INDArray db = KernelChecks.nans(shapeB);
    Dot.backward(a, b, axisA, axisB, normalize, TorchFixtures.array(name + ".r", out), da, db);
    TorchFixtures.assertMatches(name + ".da", da);
    TorchFixtures.assertMatches(name + ".db", db);
  }

  @Test
  void dotGradientsMatchFiniteDifferences() {
    int[][] cases = {{1, 1}, {2, 2}, {1, 2}, {2, 1}};
    for (boolean normalize : new boolean[] {false, true}) {
      for (int[] axes : cases) {
        INDArray a = RandomArrays.uniform(1, 2, 3, 4);
        INDArray b = axes[1] == 2 ? RandomArrays.uniform(2, 2, 5, axes[0] == 2 ? 4 : 3)
            : RandomArrays.uniform(2, 2, axes[0] == 2 ? 4 : 3, 5);
        long freeA = axes[0] == 2 ? 3 : 4;
        INDArray y = KernelChecks.nans(2, freeA, 5);
        INDArray r = RandomArrays.uniform(3, 2, freeA, 5);
        Runnable forward = () -> Dot.forward(a, b, axes[0], axes[1], normalize, y);
        INDArray da = KernelChecks.nansLike(a);
        INDArray db = KernelChecks.nansLike(b);
        Dot.backward(a, b, axes[0], axes[1], normalize, r, da, db);
        String what = "axes " + axes[0] + ", " + axes[1] + (normalize ? ", normalized" : "");
        KernelChecks.assertGradient("dA " + what, forward, y, r, a, da);
        KernelChecks.assertGradient("dB " + what, forward, y, r, b, db);
      }
    }
  }

  @Test
  void dotOfAMatrixWithAVector() {
    INDArray a = RandomArrays.uniform(4, 2, 3, 4);
    INDArray b = RandomArrays.uniform(5, 2, 4);
    INDArray y = KernelChecks.nans(2, 3);
    Dot.forward(a, b, 2, 1, false, y);
    INDArray expected = Nd4j.zeros(DataType.DOUBLE, 2, 3);
    for (int s = 0; s < 2; s++) {
      for (int i = 0; i < 3; i++) {
        double sum = 0;
        for (int k = 0; k < 4; k++) {
          sum += a.getDouble(s, i, k) * b.getDouble(s, k);
        }
        expected.putScalar(new long[] {s, i}, sum);
      }
    }
    PlainArrays.assertAllClose(values(expected), y, 1e-14, "matrix . vector");
    INDArray r = RandomArrays.uniform(6, 2, 3);
    INDArray da = KernelChecks.nansLike(a);
    INDArray db = KernelChecks.nansLike(b);
    Dot.backward(a, b, 2, 1, true, r, da, db);
    Runnable forward = () -> Dot.forward(a, b, 2, 1, true, y);
    KernelChecks.assertGradient("dA", forward, y, r, a, da);
    KernelChecks.assertGradient("dB", forward, y, r, b, db);
  }

  @Test
  void elementwiseMergesMatchFiniteDifferences() {
    INDArray a = RandomArrays.uniform(7, SHAPE);
    INDArray b = RandomArrays.uniform(8, SHAPE);
    INDArray c = RandomArrays.uniform(9, SHAPE);
    INDArray r = RandomArrays.uniform(10, SHAPE);
    INDArray y = KernelChecks.nans(SHAPE);
    INDArray[] in = {a, b, c};
    INDArray[] d = {KernelChecks.nans(SHAPE), KernelChecks.nans(SHAPE), KernelChecks.nans(SHAPE)};
    Minimum.backward(r, in, d);
    for (int i = 0; i < 3; i++) {
      KernelChecks.assertGradient("Minimum d" + i, () -> Minimum.forward(y, in), y, r, in[i], d[i]);
    }
    Average.backward(r, d);
    for (int i = 0; i < 3; i++) {
      KernelChecks.assertGradient("Average d" + i, () -> Average.forward(y, in), y, r, in[i], d[i]);
    }
    Subtract.backward(r, d[0], d[1]);
    KernelChecks.assertGradient("Subtract da", () -> Subtract.forward(y, a, b), y, r, a, d[0]);
    KernelChecks.assertGradient("Subtract db", () -> Subtract.forward(y, a, b), y, r, b, d[1]);
  }
}
