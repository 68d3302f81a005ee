package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static dev.kiln.runtime.kernels.LayerChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

class DropoutTest {

  private static Random generator(long seed) {
    return Nd4j.getRandomFactory().getNewRandomInstance(seed);
  }

  @Test
  void trainingKeepsMaskedEntriesScaledAndZeroesTheRest() {
    double rate = 0.4;
    INDArray x = RandomArrays.uniform(1, 4, 5, 3);
    INDArray mask = nansLike(x);
    INDArray out = nansLike(x);
    Dropout.forward(x, rate, true, generator(7), mask, out);
    double[] m = PlainArrays.values(mask);
    double[] xs = PlainArrays.values(x);
    double[] expected = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      assertTrue(m[i] == 0 || m[i] == 1, "mask entry " + i + " is " + m[i]);
      expected[i] = m[i] == 1 ? xs[i] / (1 - rate) : 0;
    }
    assertValues(expected, out, "dropped out");
  }

  @Test
  void theSameSeedDrawsTheSameMaskAndTheNextDrawAnother() {
    INDArray x = RandomArrays.uniform(2, 8, 16);
    INDArray first = nansLike(x);
    INDArray again = nansLike(x);
    INDArray next = nansLike(x);
    Random random = generator(42);
    Dropout.forward(x, 0.5, true, random, first, nansLike(x));
    Dropout.forward(x, 0.5, true, random, next, nansLike(x));
    Dropout.forward(x, 0.5, true, generator(42), again, nansLike(x));
    assertArrayEquals(PlainArrays.values(first), PlainArrays.values(again));
    // 128 entries alike by chance: probability 2^-128.
    assertFalse(Arrays.equals(PlainArrays.values(first), PlainArrays.values(next)));
  }

  @Test
  void keptShareIsCloseToOneMinusRate() {
    for (double rate : new double[] {0.1, 0.3, 0.75}) {
      INDArray x = Nd4j.ones(DataType.DOUBLE, 1000, 1000);
      INDArray mask = nansLike(x);
      Dropout.forward(x, rate, true, generator(3), mask, nansLike(x));
      // The share of a million draws has a standard deviation below 5e-4.
      double kept = mask.sumNumber().doubleValue() / x.length();
      assertEquals(1 - rate, kept, 3e-3, "kept share at rate " + rate);
    }
  }

  @Test
  void inferenceIsTheIdentityAndLeavesTheMaskAlone() {
    INDArray x = RandomArrays.uniform(4, 3, 7);
    INDArray mask = nansLike(x).assign(5.0);
    INDArray out = nansLike(x);
    Dropout.forward(x, 0.6, false, generator(1), mask, out);
    assertValues(PlainArrays.values(x), out, "inference output");
    double[] untouched = new double[21];
    Arrays.fill(untouched, 5.0);
    assertValues(untouched, mask, "mask");
  }

  @Test
  void rateZeroKeepsEverything() {
    INDArray x = RandomArrays.uniform(5, 3, 7);
    INDArray mask = nansLike(x);
    INDArray out = nansLike(x);
    Dropout.forward(x, 0.0, true, generator(1), mask, out);
    assertValues(PlainArrays.values(x), out, "output");
    double[] ones = new double[21];
    Arrays.fill(ones, 1.0);
    assertValues(ones, mask, "mask");
    INDArray dOut = RandomArrays.uniform(6, 3, 7);
    INDArray dx = nansLike(x);
    Dropout.backward(dOut, 0.0, mask, dx);
    assertValues(PlainArrays.values(dOut), dx, "dx");
  }

  @Test
  void backwardMatchesFiniteDifferencesWithTheMaskHeldFixed() {
    double rate = 0.3;
    INDArray x = RandomArrays.uniform(8, 5, 6);
    INDArray mask = nansLike(x);
    INDArray out = nansLike(x);
    INDArray r = RandomArrays.uniform(9, 5, 6);
    INDArray dx = nansLike(x);
    // Each forward pass redraws the mask from a generator with the same seed, so it is the same.
    Runnable forward = () -> Dropout.forward(x, rate, true, generator(11), mask, out);
    forward.run();
    double[] drawn = PlainArrays.values(mask);
    Dropout.backward(r, rate, mask, dx);
    assertGradient("dx", forward, out, r, x, dx);
    assertArrayEquals(drawn, PlainArrays.values(mask), "mask changed during the check");
  }

  @Test
  void backwardScalesTheKeptEntriesOfTheMask() {
    double rate = 0.25;
    INDArray mask = Nd4j.createFromArray(new double[] {1, 0, 0, 1, 1, 0}).reshape(2, 3);
    INDArray dOut = RandomArrays.uniform(10, 2, 3);
    INDArray dx = nans(2, 3);
    Dropout.backward(dOut, rate, mask, dx);
    double[] d = PlainArrays.values(dOut);
    double[] expected = {d[0] / 0.75, 0, 0, d[3] / 0.75, d[4] / 0.75, 0};
    assertValues(expected, dx, "dx");
  }

  @Test
  void float32MaskAndOutput() {
    INDArray x = RandomArrays.uniform(12, 50, 40).castTo(DataType.FLOAT);
    INDArray mask = Nd4j.zeros(DataType.FLOAT, 50, 40);
    INDArray out = Nd4j.zeros(DataType.FLOAT, 50, 40);
    Dropout.forward(x, 0.5, true, generator(2), mask, out);
    double[] m = PlainArrays.values(mask);
    double[] xs = PlainArrays.values(x);
    double[] o = PlainArrays.values(out);
    int kept = 0;
    for (int i = 0; i < m.length; i++) {
      assertTrue(m[i] == 0 || m[i] == 1, "mask entry " + i + " is " + m[i]);
      kept += (int) m[i];
      // Division by 0.5 is exact in float32; a dropped negative entry may be -0.
      assertEquals(m[i] == 1 ? (float) (xs[i] / 0.5) : 0f, (float) o[i], 0f, "output entry " + i);
    }
    assertTrue(kept > 900 && kept < 1100, "kept " + kept + " of 2000");
  }

  @Test
  void nullInputGradientIsSkipped() {
    Dropout.backward(RandomArrays.uniform(13, 2, 3), 0.5, nans(2, 3), null);
  }

  @Test
  void rejectsRatesOutsideZeroToOne() {
    INDArray x = RandomArrays.uniform(14, 2, 3);
    for (double rate : new double[] {-0.1, 1.0, Double.NaN}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> Dropout.forward(x, rate, true, generator(1), nansLike(x), nansLike(x)),
          "rate " + rate);
    }
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray x = RandomArrays.uniform(15, 6, 9);
    INDArray mask = nansLike(x);
    INDArray out = nansLike(x);
    INDArray dx = nansLike(x);
    Random random = generator(5);
    assertNoSteadyStateAllocation(
        () -> {
          Dropout.forward(x, 0.2, true, random, mask, out);
          Dropout.backward(out, 0.2, mask, dx);
          Dropout.forward(x, 0.2, false, random, mask, out);
        });
  }
}
