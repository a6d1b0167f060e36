"""Tier 0: the one module that chooses Numba options.

Every compiled function in lrjit is built here, so that caching, fastmath (off,
for bitwise-deterministic results) and ufunc signatures are decided once.
Nothing is compiled at import: dispatchers compile on first call.
"""

import numba

__all__ = ["jit", "ufunc"]


def jit(func=None, *, parallel=False, inline="never"):
    """``numba.njit`` with ``cache=True`` where a cache can be written.

    ``error_model="numpy"`` everywhere: kernels never raise, so a division
    needs no zero check (the check costs ~10% in a loop and changes no bit).
    Kernels use ``inline="always"`` (Numba-IR inlining): without it a table
    fill through :func:`lrjit.kernels.lr_at` ran ~2x slower, because the
    per-piece parameters were reloaded behind an opaque call on every step.

    Numba raises ``RuntimeError("... no locator available ...")`` at decoration
    time when neither ``NUMBA_CACHE_DIR``, the package folder nor the user
    cache is writable; lrjit then compiles without a cache instead of failing
    to import.  Use one flag set per Python function: two dispatchers of the
    same function with different flags would share one cache entry.
    """

    options = dict(parallel=parallel, inline=inline, error_model="numpy")

    def build(f):
        try:
            return numba.njit(cache=True, **options)(f)
        except RuntimeError:
            return numba.njit(**options)(f)

    return build if func is None else build(func)


def ufunc(kernel, nargs):
    """A float64 NumPy ufunc of ``nargs`` inputs from a tier-1 kernel.

    It compiles the kernel's own Python source, so it computes the same bits
    as the ``@jit`` kernel.  Not cached on disk: a ufunc's cache would share
    the kernel's cache entry (see :func:`jit`).
    """
    signature = "float64({})".format(", ".join(["float64"] * nargs))
    return numba.vectorize([signature], target="cpu")(kernel.py_func)
