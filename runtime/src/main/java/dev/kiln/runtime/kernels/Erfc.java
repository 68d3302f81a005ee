package dev.kiln.runtime.kernels;

import org.apache.commons.math3.special.Erf;

/**
 * The complementary error function in double precision, fast enough for an activation over
 * millions of values: a table of Taylor polynomials around the points {@code x0 = i / 128}, whose
 * coefficients come from the derivatives {@code erfc^(k)(x) = (-1)^k H_{k-1}(x) 2/sqrt(pi)
 * exp(-x^2)} ({@code H} the Hermite polynomials). Within {@code 1/256} of a point twelve terms
 * leave a truncation error below {@code 1e-16} of the value up to {@code x = 26}; beyond that
 * (values below {@code 1e-295}) commons-math's {@code Erf.erfc} answers, as it did for every value
 * before, at hundreds of nanoseconds and about 30 bytes of heap a value.
 *
 * <p>The values at the points are computed here, not taken from commons-math, whose {@code erfc}
 * is off by up to 40 units in the last place below 2 and by hundreds beyond 5 (it squares {@code
 * x} with a rounding error that {@code exp(-x^2)} magnifies); {@code x0^2} is exact for these
 * points, and each value is a series (below 1) or a continued fraction (above).
 */
final class Erfc {

  /** Table points per unit of {@code x}. */
  private static final int PER_UNIT = 128;

  /** The largest {@code x} the table covers; beyond it commons-math answers. */
  static final double TABLE_END = 26;

  /** Polynomial terms per point, {@code d^0} to {@code d^11}. */
  private static final int TERMS = 12;

  /** Below this {@code x}, eight terms of each polynomial are enough. */
  private static final double SHORT_BELOW = 4;

  private static final double[] COEFFICIENTS = coefficients();

  private static final double[] SLOPES = slopes();

  private Erfc() {}

  /** {@code erfc(x) = 1 - erf(x)}; {@code erfc(-x) = 2 - erfc(x)}. */
  static double of(double x) {
    double y = Math.abs(x);
    if (!(y <= TABLE_END)) {
      return Erf.erfc(x); // beyond the table, or NaN
    }
    double value = polynomial(COEFFICIENTS, y);
    // A selection rather than a branch: an activation's inputs change sign at random.
    return x < 0 ? 2 - value : value;
  }

  /**
   * {@code erfc'(x) = -2/sqrt(pi) exp(-x^2)}, from the derivatives of the same polynomials: GELU's
   * gradient needs the normal density beside the distribution function, and this costs less than
   * a second exponential.
   */
  static double slope(double x) {
    double y = Math.abs(x);
    if (!(y <= TABLE_END)) {
      return -2 / Math.sqrt(Math.PI) * Math.exp(-x * x);
    }
    return polynomial(SLOPES, y);
  }

  /**
   * The polynomial of the point nearest {@code y}, in {@code 0 <= y <= TABLE_END}, by Estrin's
   * scheme (pairs, then pairs of pairs, rather than Horner's one chain of eleven). Below {@link
   * #SHORT_BELOW} the first eight terms suffice: the ninth is below {@code 3e-17} of the value.
   */
  private static double polynomial(double[] c, double y) {
    int point = (int) (y * PER_UNIT + 0.5);
    double d = y - (double) point / PER_UNIT;
    int at = point * TERMS;
    double d2 = d * d;
    double d4 = d2 * d2;
    double low = (c[at] + c[at + 1] * d) + (c[at + 2] + c[at + 3] * d) * d2;
    double middle = (c[at + 4] + c[at + 5] * d) + (c[at + 6] + c[at + 7] * d) * d2;
    if (y < SHORT_BELOW) {
      return low + middle * d4;
    }
    double high = (c[at + 8] + c[at + 9] * d) + (c[at + 10] + c[at + 11] * d) * d2;
    return low + (middle + high * d4) * d4;
  }

  /** Per point, the coefficients of the derivative: {@code (k + 1) c_{k+1}}, and a last 0. */
  private static double[] slopes() {
    double[] slopes = new double[COEFFICIENTS.length];
    for (int at = 0; at < slopes.length; at += TERMS) {
      for (int k = 0; k < TERMS - 1; k++) {
        slopes[at + k] = (k + 1) * COEFFICIENTS[at + k + 1];
      }
    }
    return slopes;
  }

  /** Per point {@code x0}: {@code erfc(x0)}, then {@code erfc^(k)(x0) / k!} for k = 1 .. 11. */
  private static double[] coefficients() {
    int points = (int) (TABLE_END * PER_UNIT) + 1;
    double[] c = new double[points * TERMS];
    for (int i = 0; i < points; i++) {
      double x0 = (double) i / PER_UNIT;
      double density = 2 / Math.sqrt(Math.PI) * Math.exp(-x0 * x0);
      c[i * TERMS] = atPoint(x0);
      double previous = 0; // H_{m-1}
      double hermite = 1; // H_m, from H_0 = 1
      double factorial = 1;
      for (int k = 1; k < TERMS; k++) {
        factorial *= k;
        // erfc^(k) = (-1)^k H_{k-1} * density, with m = k - 1
        c[i * TERMS + k] = (k % 2 == 0 ? 1 : -1) * hermite * density / factorial;
        int m = k - 1;
        double next = 2 * x0 * hermite - 2 * m * previous;
        previous = hermite;
        hermite = next;
      }
    }
    return c;
  }

  /**
   * {@code erfc(x0)} for a point whose square is exact, to about 3 units in the last place: below
   * 1/2, {@code 1 - erf(x0)} with erf's series of positive terms {@code 2/sqrt(pi) exp(-x^2) sum
   * (2x^2)^n x / (1 3 ... (2n+1))}; above, the continued fraction {@code exp(-x^2) / sqrt(pi) / (x
   * + (1/2) / (x + (2/2) / (x + ...)))} evaluated from its far end (evaluated forwards, by Lentz's
   * method, the rounding of its thousands of products left 17 units in the last place).
   */
  private static double atPoint(double x0) {
    double square = x0 * x0;
    double weight = Math.exp(-square) / Math.sqrt(Math.PI);
    if (x0 < 0.5) {
      double term = x0;
      double sum = x0;
      for (int n = 1; term > sum * 1e-18; n++) {
        term *= 2 * square / (2 * n + 1);
        sum += term;
      }
      return 1 - 2 * weight * sum;
    }
    double tail = x0;
    for (int j = x0 < 2 ? 5000 : 500; j > 0; j--) {
      tail = x0 + j / 2.0 / tail;
    }
    return weight / tail;
  }
}
