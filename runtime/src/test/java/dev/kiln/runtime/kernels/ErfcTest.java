package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

/**
 * GELU's erfc, a table of Taylor polynomials, against erfc to 40 digits (mpmath, through {@code
 * runtime/src/test/python/erfc_fixtures.py}): within 4 units in the last place wherever the table
 * answers, at its points, between them and in the tails, where commons-math's erfc, which GELU
 * called before, was off by up to 1,086.
 */
class ErfcTest {

  /** The units in the last place allowed: exp's rounding, the series' and the polynomial's. */
  private static final double ULPS = 4;

  @Test
  void agreesWithErfcToFortyDigitsWithinFourUnitsInTheLastPlace() throws IOException {
    int checked = 0;
    double worst = 0;
    String worstAt = "";
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(
        ErfcTest.class.getResourceAsStream("erfc-fixtures.txt"), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String[] parts = line.split(" ");
        double x = Double.parseDouble(parts[0]);
        double expected = Double.parseDouble(parts[1]);
        if (x > Erfc.TABLE_END) {
          assertEquals(Erf.erfc(x), Erfc.of(x), "beyond the table, commons-math's value at " + x);
          continue;
        }
        double ulps = Math.abs(Erfc.of(x) - expected) / Math.ulp(expected);
        if (ulps > worst) {
          worst = ulps;
          worstAt = line;
        }
        checked++;
      }
    }
    assertTrue(checked > 3000, "only " + checked + " fixture values");
    assertTrue(worst <= ULPS, "erfc is " + worst + " units in the last place off at " + worstAt);
  }

  @Test
  void slopeIsTheDensityWithinFourUnitsInTheLastPlace() {
    double worst = 0;
    double worstAt = 0;
    // Multiples of 1/512: x * x is exact, so exp(-x * x) is within one unit of the truth.
    for (double x = -27; x <= 27; x += 1.0 / 512) {
      double expected = -2 / Math.sqrt(Math.PI) * Math.exp(-x * x);
      if (expected == 0 || Math.abs(expected) < Double.MIN_NORMAL) {
        continue;
      }
      // Beyond 20 (GELU at |x| > 28) the derivative's truncated series, one term shorter than the
      // value's, adds a few units: half as many are counted there.
      double ulps = Math.abs(Erfc.slope(x) - expected) / Math.ulp(expected)
          / (Math.abs(x) > 20 ? 2 : 1);
      if (ulps > worst) {
        worst = ulps;
        worstAt = x;
      }
    }
    assertTrue(worst <= ULPS, "slope is " + worst + " units in the last place off at " + worstAt);
  }

  @Test
  void edges() {
    assertEquals(1, Erfc.of(0));
    assertEquals(2, Erfc.of(-40));
    assertEquals(0, Erfc.of(Double.POSITIVE_INFINITY));
    assertEquals(2, Erfc.of(Double.NEGATIVE_INFINITY));
    assertTrue(Double.isNaN(Erfc.of(Double.NaN)));
  }
}
