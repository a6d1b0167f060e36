"""Comparing float64 results bit by bit and in ulps (tests of cospi and exp)."""

import math

import numba
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


def compiled_table(device_function):
    """``xs -> array of device_function(x)``, through a compiled loop as a user writes one."""

    @numba.njit
    def table(xs, out):
        for i in range(xs.size):
            out[i] = device_function(xs[i])
        return out

    def call(xs):
        xs = np.ascontiguousarray(xs, dtype=np.float64)
        return table(xs, np.empty_like(xs))

    return call


def contracted(device_function, xs):
    """``device_function`` over ``xs``, compiled from its source with LLVM's ``contract`` flag.

    FMAs wherever ``a*b + c`` allows, as NVVM compiles CUDA by default: what
    to expect from a GPU, on the CPU.
    """
    scalar = numba.njit(fastmath={"contract"}, error_model="numpy")(device_function.py_func)
    return compiled_table(scalar)(xs)


def correctly_rounded(exact):
    """The double nearest to the mpf ``exact`` (ties to even, overflow to inf, subnormals exact)."""
    import mpmath as mp

    sign, size = (-1.0 if exact < 0 else 1.0), abs(exact)
    if size >= mp.ldexp(1, 1024) * (1 - mp.ldexp(1, -54)):
        return sign * math.inf
    if size < mp.ldexp(1, -1022):  # a multiple of 2**-1074, counted exactly
        return sign * int(mp.nint(mp.ldexp(size, 1074))) * 5e-324
    return float(exact)  # 53 bits, to nearest


def ulp_errors(xs, got, exact_of, prec):
    """How far ``got`` is from ``exact_of(x)`` (an mpmath function), at ``prec`` bits.

    ``(max ulps from the correctly rounded value, max error in ulps of the
    exact value over normal results, count not correctly rounded, the worst
    argument by the latter)``.  Zero, subnormal and overflowing results count
    only through the first and third.
    """
    import mpmath as mp

    correct = np.empty(len(xs))
    worst, worst_x = 0.0, None
    with mp.workprec(prec):
        tiny = mp.ldexp(1, -1022)
        for i, (x, g) in enumerate(zip(np.asarray(xs).tolist(), np.asarray(got).tolist())):
            exact = exact_of(mp.mpf(x))
            correct[i] = correctly_rounded(exact)
            if abs(exact) < tiny or math.isinf(correct[i]):
                continue
            ulp = mp.ldexp(1, mp.frexp(exact)[1] - 53)
            err = float(abs(mp.mpf(g) - exact) / ulp)
            if err > worst:
                worst, worst_x = err, x
    dist = np.abs(ordered(got) - ordered(correct))
    return int(dist.max(initial=0)), worst, int(np.count_nonzero(dist)), worst_x


def significant_bits(v):
    """How many bits of ``v``'s significand are in use (trailing zeros dropped)."""
    mantissa = int(math.frexp(abs(v))[0] * 2**53)
    return 53 - ((mantissa & -mantissa).bit_length() - 1)
