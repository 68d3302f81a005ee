package dev.kiln.runtime.optim.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each schedule against Keras' documented formula, written out, on both sides of a boundary. */
class SchedulesTest {

  private static final double TOLERANCE = 1e-15;

  @Test
  void exponentialDecayIsContinuousOrStairs() {
    ExponentialDecay smooth = new ExponentialDecay(0.1, 4, 0.5, false);
    ExponentialDecay stairs = new ExponentialDecay(0.1, 4, 0.5, true);
    for (long step : new long[] {0, 1, 3, 4, 5, 7, 8, 9, 100}) {
      assertEquals(0.1 * Math.pow(0.5, step / 4.0), smooth.rate(step), TOLERANCE, "step " + step);
      assertEquals(0.1 * Math.pow(0.5, Math.floor(step / 4.0)), stairs.rate(step), TOLERANCE,
          "staircase step " + step);
    }
    assertEquals(0.1, stairs.rate(3));
    assertEquals(0.05, stairs.rate(4));
  }

  @Test
  void piecewiseConstantDecayIncludesEachBoundaryInThePieceBefore() {
    PiecewiseConstantDecay pieces =
        new PiecewiseConstantDecay(new long[] {3, 6}, new double[] {1.0, 0.5, 0.1});
    double[] expected = {1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1};
    for (int step = 0; step < expected.length; step++) {
      assertEquals(expected[step], pieces.rate(step), "step " + step);
    }
  }

  @Test
  void cosineDecayWithoutWarmupEndsAtAlphaAndStays() {
    CosineDecay cosine = CosineDecay.of(0.2, 10, 0.1);
    for (long step : new long[] {0, 1, 5, 9, 10, 11, 50}) {
      double fraction = Math.min(step, 10) / 10.0;
      double expected = 0.2 * (0.9 * 0.5 * (1 + Math.cos(Math.PI * fraction)) + 0.1);
      assertEquals(expected, cosine.rate(step), TOLERANCE, "step " + step);
    }
    assertEquals(0.2, cosine.rate(0), TOLERANCE);
    assertEquals(0.02, cosine.rate(10), TOLERANCE);
  }

  @Test
  void cosineDecayWarmsUpLinearlyThenDecaysFromTheTarget() {
    CosineDecay cosine = CosineDecay.withWarmup(0.0, 4, 0.1, 8, 0.0);
    for (long step = 0; step <= 20; step++) {
      double expected;
      if (step < 4) {
        expected = 0.1 * step / 4.0;
      } else {
        double fraction = Math.min(step - 4, 8) / 8.0;
        expected = 0.1 * 0.5 * (1 + Math.cos(Math.PI * fraction));
      }
      assertEquals(expected, cosine.rate(step), TOLERANCE, "step " + step);
    }
    assertEquals(0.075, cosine.rate(3), TOLERANCE);
    assertEquals(0.1, cosine.rate(4), TOLERANCE);
    assertEquals(0.0, cosine.rate(12), TOLERANCE);
  }

  @Test
  void polynomialDecayReachesTheEndRateAndCyclesWhenAsked() {
    PolynomialDecay linear = PolynomialDecay.of(0.1, 10);
    PolynomialDecay squared = new PolynomialDecay(0.1, 10, 0.01, 2, false);
    PolynomialDecay cycling = new PolynomialDecay(0.1, 10, 0.01, 2, true);
    for (long step : new long[] {0, 1, 9, 10, 11, 25}) {
      double s = Math.min(step, 10);
      assertEquals((0.1 - 1e-4) * (1 - s / 10) + 1e-4, linear.rate(step), TOLERANCE);
      assertEquals(0.09 * Math.pow(1 - s / 10, 2) + 0.01, squared.rate(step), TOLERANCE);
      double steps = 10 * (step == 0 ? 1 : Math.ceil(step / 10.0));
      assertEquals(0.09 * Math.pow(1 - step / steps, 2) + 0.01, cycling.rate(step), TOLERANCE,
          "cycling step " + step);
    }
    assertEquals(0.01, cycling.rate(10), TOLERANCE);
    assertTrue(cycling.rate(11) > cycling.rate(10),
        "past the end, a longer cycle lifts the rate again: " + cycling.rate(11));
  }

  @Test
  void badArgumentsAreRefusedNamingTheSchedule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ExponentialDecay(0.1, 0, 0.5, false));
    assertTrue(e.getMessage().startsWith("ExponentialDecay's decaySteps"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new PiecewiseConstantDecay(new long[] {5, 3}, new double[] {1, 2, 3}));
    assertThrows(IllegalArgumentException.class,
        () -> new PiecewiseConstantDecay(new long[] {5}, new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> CosineDecay.of(0.1, 10, 1.5));
    assertThrows(IllegalArgumentException.class,
        () -> new CosineDecay(0.1, 10, 0, Double.NaN, 5));
    assertThrows(IllegalArgumentException.class, () -> new PolynomialDecay(0.1, 10, 0, 0, false));
  }
}
