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


def contracted(device_function, xs):
    """``device_function`` over ``xs``, compiled from its source with LLVM's ``contract`` flag.

    FMAs wherever ``a*b + c`` allows, as NVVM compiles CUDA by default: what
    to expect from a GPU, on the CPU.
    """
    import numba

    scalar = numba.njit(fastmath={"contract"}, error_model="numpy")(device_function.py_func)

    @numba.njit
    def table(xs, out):
        for i in range(xs.size):
            out[i] = scalar(xs[i])
        return out

    return table(xs, np.empty_like(xs))
