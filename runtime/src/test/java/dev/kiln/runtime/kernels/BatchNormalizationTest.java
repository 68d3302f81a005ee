package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static dev.kiln.runtime.kernels.LayerChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BatchNormalizationTest {

  private static final double MOMENTUM = 0.99;
  private static final double EPSILON = 1e-3;

  /** Per-channel statistics and the normalized output, by plain loops over row-major values. */
  private record Reference(double[] mean, double[] variance, double[] out) {

    /** Entry {@code i} of a channels-last array belongs to channel {@code i % channels}. */
    static Reference of(double[] x, int channels, double[] gamma, double[] beta, double[] mean, double[] variance) {
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        int c = i % channels;
        double normalized = (x[i] - mean[c]) / Math.sqrt(variance[c] + EPSILON);
        out[i] = (gamma == null ? 1 : gamma[c]) * normalized + (beta == null ? 0 : beta[c]);
      }
      return new Reference(mean, variance, out);
    }

    /** With the batch's own mean and biased variance. */
    static Reference training(double[] x, int channels, double[] gamma, double[] beta) {
      int count = x.length / channels;
      double[] mean = new double[channels];
      for (int i = 0; i < x.length; i++) {
        mean[i % channels] += x[i] / count;
      }
      double[] variance = new double[channels];
      for (int i = 0; i < x.length; i++) {
        double d = x[i] - mean[i % channels];
        variance[i % channels] += d * d / count;
      }
      return of(x, channels, gamma, beta, mean, variance);
    }
  }

  @Test
  void trainingNormalizesImagesWithBatchStatisticsAndUpdatesTheMovingOnes() {
    assertTrainingForward(RandomArrays.uniform(1, 2, 3, 4, 5), true, true);
  }

  @Test
  void trainingNormalizesMatricesAndSequences() {
    assertTrainingForward(RandomArrays.uniform(2, 6, 4), true, true);
    assertTrainingForward(RandomArrays.uniform(3, 3, 5, 2), true, true);
  }

  @Test
  void trainingWithoutGammaOrBeta() {
    assertTrainingForward(RandomArrays.uniform(4, 5, 3), false, true);
    assertTrainingForward(RandomArrays.uniform(5, 5, 3), true, false);
    assertTrainingForward(RandomArrays.uniform(6, 2, 2, 2, 3), false, false);
  }

  @Test
  void inferenceNormalizesWithTheMovingStatisticsAndChangesNothingElse() {
    for (boolean scale : new boolean[] {true, false}) {
      for (boolean center : new boolean[] {true, false}) {
        INDArray x = RandomArrays.uniform(7, 2, 3, 3, 4);
        INDArray gamma = scale ? RandomArrays.uniform(8, 4).addi(1.5) : null;
        INDArray beta = center ? RandomArrays.uniform(9, 4) : null;
        INDArray movingMean = RandomArrays.uniform(10, 4);
        INDArray movingVariance = RandomArrays.uniform(11, 4).addi(1.5);
        double[] meanBefore = PlainArrays.values(movingMean);
        double[] varianceBefore = PlainArrays.values(movingVariance);
        INDArray batchMean = nans(4);
        INDArray batchVariance = nans(4);
        INDArray out = nansLike(x);
        BatchNormalization.forward(
            x, gamma, beta, movingMean, movingVariance, MOMENTUM, EPSILON, false, batchMean, batchVariance, out);
        Reference expected =
            Reference.of(PlainArrays.values(x), 4, values(gamma), values(beta), meanBefore, varianceBefore);
        String what = "scale " + scale + ", center " + center;
        assertValues(expected.out(), out, what + ": out");
        assertValues(meanBefore, movingMean, what + ": moving mean");
        assertValues(varianceBefore, movingVariance, what + ": moving variance");
        assertAllNaN(batchMean, what + ": batch mean");
        assertAllNaN(batchVariance, what + ": batch variance");
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesOnImages() {
    assertGradients(RandomArrays.uniform(12, 2, 3, 2, 4), true, true);
  }

  @Test
  void backwardMatchesFiniteDifferencesOnOffCentreMatrices() {
    // A large mean against a small spread, where cancellation would show.
    INDArray x = RandomArrays.uniform(13, 7, 3).muli(0.2).addi(5);
    assertGradients(x, true, true);
  }

  @Test
  void backwardWithoutGammaOrBeta() {
    assertGradients(RandomArrays.uniform(14, 4, 2, 3), false, false);
    assertGradients(RandomArrays.uniform(15, 4, 3), false, true);
    assertGradients(RandomArrays.uniform(16, 4, 3), true, false);
  }

  @Test
  void backwardWithoutInputGradientStillWritesGammaAndBetaGradients() {
    INDArray x = RandomArrays.uniform(17, 3, 2, 2, 3);
    INDArray gamma = RandomArrays.uniform(18, 3).addi(1.5);
    INDArray beta = RandomArrays.uniform(19, 3);
    INDArray r = RandomArrays.uniform(20, x.shape());
    INDArray out = nansLike(x);
    INDArray batchMean = nans(3);
    INDArray batchVariance = nans(3);
    Runnable forward = trainingForward(x, gamma, beta, batchMean, batchVariance, out);
    forward.run();
    INDArray dGamma = nans(3);
    INDArray dBeta = nans(3);
    BatchNormalization.backward(x, gamma, batchMean, batchVariance, EPSILON, r, dGamma, dBeta, null);
    INDArray onlyDBeta = nans(3);
    BatchNormalization.backward(x, gamma, batchMean, batchVariance, EPSILON, r, null, onlyDBeta, null);
    assertGradient("dGamma", forward, out, r, gamma, dGamma);
    assertGradient("dBeta", forward, out, r, beta, dBeta);
    assertGradient("dBeta alone", forward, out, r, beta, onlyDBeta);
  }

  @Test
  void backwardWithFixedStatisticsMatchesFiniteDifferencesOfInference() {
    assertFixedStatisticsGradients(RandomArrays.uniform(14, 2, 3, 2, 4), true, true);
    assertFixedStatisticsGradients(RandomArrays.uniform(15, 5, 3), false, true);
    assertFixedStatisticsGradients(RandomArrays.uniform(16, 4, 2, 3), true, false);
  }

  @Test
  void float32MatchesTheFloat64Loops() {
    INDArray x64 = RandomArrays.uniform(21, 4, 3, 3, 5);
    INDArray gamma64 = RandomArrays.uniform(22, 5).addi(1.5);
    INDArray beta64 = RandomArrays.uniform(23, 5);
    INDArray r64 = RandomArrays.uniform(24, x64.shape());
    INDArray x = x64.castTo(DataType.FLOAT);
    INDArray gamma = gamma64.castTo(DataType.FLOAT);
    INDArray beta = beta64.castTo(DataType.FLOAT);
    INDArray r = r64.castTo(DataType.FLOAT);
    INDArray movingMean = Nd4j.zeros(DataType.FLOAT, 5);
    INDArray movingVariance = Nd4j.ones(DataType.FLOAT, 5);
    INDArray batchMean = Nd4j.zeros(DataType.FLOAT, 5);
    INDArray batchVariance = Nd4j.zeros(DataType.FLOAT, 5);
    INDArray out = x.like();
    BatchNormalization.forward(
        x, gamma, beta, movingMean, movingVariance, MOMENTUM, EPSILON, true, batchMean, batchVariance, out);
    INDArray dx = x.like();
    INDArray dGamma = gamma.like();
    INDArray dBeta = beta.like();
    BatchNormalization.backward(x, gamma, batchMean, batchVariance, EPSILON, r, dGamma, dBeta, dx);

    // The float64 loops, from the float32 values.
    double[] xs = PlainArrays.values(x);
    double[] g = PlainArrays.values(gamma);
    double[] dOut = PlainArrays.values(r);
    Reference expected = Reference.training(xs, 5, g, PlainArrays.values(beta));
    int count = xs.length / 5;
    double[] sumDOut = new double[5];
    double[] sumDOutXhat = new double[5];
    double[] xhat = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      int c = i % 5;
      xhat[i] = (xs[i] - expected.mean()[c]) / Math.sqrt(expected.variance()[c] + EPSILON);
      sumDOut[c] += dOut[i];
      sumDOutXhat[c] += dOut[i] * xhat[i];
    }
    double[] expectedDx = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      int c = i % 5;
      expectedDx[i] =
          g[c] / Math.sqrt(expected.variance()[c] + EPSILON)
              * (dOut[i] - (sumDOut[c] + xhat[i] * sumDOutXhat[c]) / count);
    }
    double tolerance = 1e-5;
    PlainArrays.assertAllClose(expected.mean(), batchMean, tolerance, "batch mean");
    PlainArrays.assertAllClose(expected.variance(), batchVariance, tolerance, "batch variance");
    PlainArrays.assertAllClose(expected.out(), out, tolerance * 4, "out");
    PlainArrays.assertAllClose(sumDOut, dBeta, tolerance * count, "dBeta");
    PlainArrays.assertAllClose(sumDOutXhat, dGamma, tolerance * count, "dGamma");
    PlainArrays.assertAllClose(expectedDx, dx, tolerance * 4, "dx");
  }

  @Test
  void rejectsAnOutputOfAnotherShape() {
    INDArray x = RandomArrays.uniform(25, 4, 3);
    assertThrows(
        IllegalArgumentException.class,
        () -> BatchNormalization.forward(x, null, null, nans(3), nans(3), MOMENTUM, EPSILON, false, nans(3), nans(3), nans(4, 1, 3)));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray x = RandomArrays.uniform(26, 4, 3, 3, 6);
    INDArray gamma = RandomArrays.uniform(27, 6).addi(1.5);
    INDArray beta = RandomArrays.uniform(28, 6);
    INDArray batchMean = nans(6);
    INDArray batchVariance = nans(6);
    INDArray movingMean = RandomArrays.uniform(29, 6);
    INDArray movingVariance = RandomArrays.uniform(30, 6).addi(1.5);
    INDArray out = nansLike(x);
    INDArray dx = nansLike(x);
    INDArray dGamma = nans(6);
    INDArray dBeta = nans(6);
    assertNoSteadyStateAllocation(
        () -> {
          BatchNormalization.forward(
              x, gamma, beta, movingMean, movingVariance, MOMENTUM, EPSILON, true, batchMean, batchVariance, out);
          BatchNormalization.backward(x, gamma, batchMean, batchVariance, EPSILON, out, dGamma, dBeta, dx);
          // Without dx and dBeta the kernel needs its scratch arrays.
          BatchNormalization.backward(x, gamma, batchMean, batchVariance, EPSILON, out, dGamma, null, null);
          BatchNormalization.backward(x, null, batchMean, batchVariance, EPSILON, out, null, null, dx);
          BatchNormalization.forward(
              x, gamma, beta, movingMean, movingVariance, MOMENTUM, EPSILON, false, batchMean, batchVariance, out);
        });
  }

  private static void assertTrainingForward(INDArray x, boolean scale, boolean center) {
    int channels = (int) x.size(x.rank() - 1);
    INDArray gamma = scale ? RandomArrays.uniform(101, channels).addi(1.5) : null;
    INDArray beta = center ? RandomArrays.uniform(102, channels) : null;
    INDArray movingMean = RandomArrays.uniform(103, channels);
    INDArray movingVariance = RandomArrays.uniform(104, channels).addi(1.5);
    double[] meanBefore = PlainArrays.values(movingMean);
    double[] varianceBefore = PlainArrays.values(movingVariance);
    INDArray batchMean = nans(channels);
    INDArray batchVariance = nans(channels);
    INDArray out = nansLike(x);
    BatchNormalization.forward(
        x, gamma, beta, movingMean, movingVariance, MOMENTUM, EPSILON, true, batchMean, batchVariance, out);

    Reference expected = Reference.training(PlainArrays.values(x), channels, values(gamma), values(beta));
    String what = Arrays.toString(x.shape()) + ", scale " + scale + ", center " + center;
    assertValues(expected.mean(), batchMean, what + ": batch mean");
    assertValues(expected.variance(), batchVariance, what + ": batch variance");
    assertValues(expected.out(), out, what + ": out");
    double[] expectedMovingMean = new double[channels];
    double[] expectedMovingVariance = new double[channels];
    for (int c = 0; c < channels; c++) {
      // Keras: moving = moving * momentum + batch * (1 - momentum), with the biased variance.
      expectedMovingMean[c] = meanBefore[c] * MOMENTUM + expected.mean()[c] * (1 - MOMENTUM);
      expectedMovingVariance[c] = varianceBefore[c] * MOMENTUM + expected.variance()[c] * (1 - MOMENTUM);
    }
    assertValues(expectedMovingMean, movingMean, what + ": moving mean");
    assertValues(expectedMovingVariance, movingVariance, what + ": moving variance");
  }

  /** Every gradient against finite differences of {@code sum(out * r)}, out from a training forward pass. */
  private static void assertGradients(INDArray x, boolean scale, boolean center) {
    int channels = (int) x.size(x.rank() - 1);
    INDArray gamma = scale ? RandomArrays.uniform(201, channels).addi(1.5) : null;
    INDArray beta = center ? RandomArrays.uniform(202, channels) : null;
    INDArray r = RandomArrays.uniform(203, x.shape());
    INDArray batchMean = nans(channels);
    INDArray batchVariance = nans(channels);
    INDArray out = nansLike(x);
    Runnable forward = trainingForward(x, gamma, beta, batchMean, batchVariance, out);
    forward.run();
    INDArray dx = nansLike(x);
    INDArray dGamma = scale ? nans(channels) : null;
    INDArray dBeta = center ? nans(channels) : null;
    BatchNormalization.backward(x, gamma, batchMean, batchVariance, EPSILON, r, dGamma, dBeta, dx);
    // The checks' forward passes overwrite the batch statistics; the gradients are already written.
    assertGradient("dx", forward, out, r, x, dx);
    if (scale) {
      assertGradient("dGamma", forward, out, r, gamma, dGamma);
    }
    if (center) {
      assertGradient("dBeta", forward, out, r, beta, dBeta);
    }
  }

  /**
   * Every gradient of {@code backwardWithFixedStatistics} against finite differences of {@code
   * sum(out * r)}, out from an inference forward pass (a frozen layer's, while training).
   */
  private static void assertFixedStatisticsGradients(INDArray x, boolean scale, boolean center) {
    int channels = (int) x.size(x.rank() - 1);
    INDArray gamma = scale ? RandomArrays.uniform(211, channels).addi(1.5) : null;
    INDArray beta = center ? RandomArrays.uniform(212, channels) : null;
    INDArray mean = RandomArrays.uniform(213, channels);
    INDArray variance = RandomArrays.uniform(214, channels).addi(1.2);
    INDArray r = RandomArrays.uniform(215, x.shape());
    INDArray out = nansLike(x);
    Runnable forward = () -> BatchNormalization.forward(
        x, gamma, beta, mean, variance, MOMENTUM, EPSILON, false, null, null, out);
    INDArray dx = nansLike(x);
    INDArray dGamma = scale ? nans(channels) : null;
    INDArray dBeta = center ? nans(channels) : null;
    BatchNormalization.backwardWithFixedStatistics(x, gamma, mean, variance, EPSILON, r, dGamma, dBeta, dx);
    assertGradient("dx", forward, out, r, x, dx);
    if (scale) {
      assertGradient("dGamma", forward, out, r, gamma, dGamma);
    }
    if (center) {
      assertGradient("dBeta", forward, out, r, beta, dBeta);
    }
  }

  /** A training forward pass with moving statistics of its own, which training mode does not read. */
  private static Runnable trainingForward(
      INDArray x, INDArray gamma, INDArray beta, INDArray batchMean, INDArray batchVariance, INDArray out) {
    int channels = (int) x.size(x.rank() - 1);
    INDArray movingMean = nans(channels);
    INDArray movingVariance = nans(channels);
    return () ->
        BatchNormalization.forward(
            x, gamma, beta, movingMean, movingVariance, MOMENTUM, EPSILON, true, batchMean, batchVariance, out);
  }

  private static double[] values(INDArray array) {
    return array == null ? null : PlainArrays.values(array);
  }

  private static void assertAllNaN(INDArray array, String what) {
    for (double value : PlainArrays.values(array)) {
      if (!Double.isNaN(value)) {
        throw new AssertionError(what + " was written: " + array);
      }
    }
  }
}
