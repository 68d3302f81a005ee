"""Writes the reference values of erfc that ErfcTest compares GELU's table of polynomials with.

Run from the repository root with mpmath installed (Debian: apt-get install python3-mpmath):

    /usr/bin/python3 runtime/src/test/python/erfc_fixtures.py

It rewrites runtime/src/test/resources/dev/kiln/runtime/kernels/erfc-fixtures.txt: one line per
argument, "x erfc(x)", both as Python's shortest round-trip decimal of a double, erfc evaluated
with 40 significant digits and then rounded: random arguments in [-6, 27] from a fixed seed, the
table's points i/128 in [0, 27] and the midpoints between them, where the polynomials are worst.
"""

import random
from pathlib import Path

import mpmath

mpmath.mp.dps = 40
OUT = Path("runtime/src/test/resources/dev/kiln/runtime/kernels/erfc-fixtures.txt")

rng = random.Random(17)
arguments = [rng.uniform(-6, 27) for _ in range(1000)]
arguments += [i / 128 for i in range(0, 27 * 128 + 1, 3)]
arguments += [(i + 0.5) / 128 for i in range(1, 27 * 128, 3)]
with OUT.open("w") as out:
    for x in arguments:
        out.write("%r %r\n" % (x, float(mpmath.erfc(x))))
