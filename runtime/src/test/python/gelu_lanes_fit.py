"""Fits the polynomial that GELU's float32 lanes (runtime GeluLanes) take the normal tail from.

Run from the repository root with numpy and mpmath installed (Debian: apt-get install
python3-numpy python3-mpmath):

    /usr/bin/python3 runtime/src/test/python/gelu_lanes_fit.py

It prints the coefficients that GeluLanes holds: those of the tail's polynomial g and those of
its exponential's polynomial. The upper tail of the standard normal
distribution, Q(z) = erfc(z / sqrt(2)) / 2, is written Q(z) = exp(-z^2 / 2) * t * g(u) with
t = 1 / (1 + C z) and u = C z t = 1 - t: u runs over [0, 1) as z runs over [0, inf), and g is
smooth there (g(1) = C / sqrt(2 pi)), so one polynomial of degree 11 covers every z >= 0
without a branch. (A polynomial in t rather than u lost two float32 units near z = 0, where
t's own rounding, relative 3e-8 just below 1, counts twice; u = C z t keeps it relative there.)
The fit minimises the largest relative error of t * g(u) (erfc to 40 digits, mpmath) by least
squares, reweighted where the error is largest (Lawson's iteration), on Chebyshev points of u.
It reaches about 4.4e-9, a fifteenth of a float32 unit in the last place; GeluLanesTest measures
the kernel.

The exponential exp(r) on [-ln 2 / 2, ln 2 / 2] (GeluLanes scales it by 2^n itself) is a
polynomial of degree 6 fitted the same way on Chebyshev points of r: about 1.9e-9, a thirtieth
of a float32 unit; its first two coefficients round to 1.
"""

import mpmath
import numpy as np

mpmath.mp.dps = 40
C = 0.4
DEGREE = 11
POINTS = 2000


def scaled_tail(z):
    """Q(z) / exp(-z^2 / 2), to 40 digits."""
    z = mpmath.mpf(z)
    return mpmath.erfc(z / mpmath.sqrt(2)) / 2 * mpmath.exp(z * z / 2)


def fit():
    k = np.arange(POINTS)
    u = 0.5 * (1 - np.cos(np.pi * (k + 0.5) / POINTS))
    u = u[u < 1 - 1e-4]
    t = 1 - u
    z = (1 / t - 1) / C
    g = np.array([float(scaled_tail(zz) / mpmath.mpf(tt)) for zz, tt in zip(z, t)])
    return lawson(u, g, DEGREE)


def lawson(x, f, degree):
    """The polynomial of degree `degree` nearest f at x in relative terms, by reweighted least
    squares: (largest relative error, coefficients from the constant up)."""
    weights = 1 / f
    best = None
    for _ in range(30):
        design = np.vander(x, degree + 1, increasing=True) * weights[:, None]
        coefficients, *_ = np.linalg.lstsq(design, f * weights, rcond=None)
        error = (np.polyval(coefficients[::-1], x) - f) / f
        worst = np.max(np.abs(error))
        if best is None or worst < best[0]:
            best = (worst, coefficients)
        weights = weights * (1 + 50 * np.abs(error) / worst)
        weights = weights / weights.max()
    return best


def fit_exp():
    half = float(mpmath.log(2) / 2)
    k = np.arange(400)
    r = half * np.cos(np.pi * (k + 0.5) / 400)
    return lawson(r, np.array([float(mpmath.exp(x)) for x in r]), 6)


def declare(name, i, c):
    print("  private static final FloatVector %s%d = FloatVector.broadcast(SPECIES, %sf);"
          % (name, i, np.format_float_positional(np.float32(c), unique=True)))


worst, coefficients = fit()
print("// largest relative error of t * g(u): %.3g" % worst)
for i, c in enumerate(coefficients):
    declare("G", i, c)
worst, coefficients = fit_exp()
print("// largest relative error of exp(r): %.3g (E0 and E1 round to 1)" % worst)
for i, c in enumerate(coefficients):
    declare("E", i, c)
