"""Comparing float64 results bit by bit and in ulps (tests of cospi and exp)."""

import numpy as np


def ordered(values):
    """float64 -> int64, monotonic, with -0.0 and +0.0 both at 0: differences count ulps."""
    bits = np.asarray(values, np.float64).view(np.int64)
    return np.where(bits < 0, np.int64(-(2**63)) - bits, bits)


def same_bits(a, b):
    """Bitwise equal, any NaN equal to any NaN."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and np.array_equal(
        a[~nan].view(np.int64), b[~nan].view(np.int64)
    )
