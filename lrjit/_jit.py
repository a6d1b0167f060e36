"""Tier 0: the one module that chooses Numba options.

Every compiled function in lrjit is built here, so that caching, fastmath (off,
for bitwise-deterministic results) and ufunc signatures are decided once.
Nothing is compiled at import: dispatchers compile on first call.
"""

import hashlib
import pathlib

import numba
from numba.core import caching

__all__ = ["jit", "ufunc"]


def _package_stamp():
    """A hash of every source file of lrjit."""
    root = pathlib.Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_PACKAGE_STAMP = _package_stamp()


class _PackageStamped:
    """Cache-locator mixin: a cache entry is fresh only for the same package sources.

    Numba stamps a cache entry with the hash of the function's own file, but
    lrjit's drivers inline kernels from other files (``tables`` inlines
    ``dispatch``, which inlines ``families``): with per-file stamps an edit to a
    kernel left every driver running stale machine code.
    """

    def get_source_stamp(self):
        return _PACKAGE_STAMP


class _PackageCacheImpl(caching.CompileResultCacheImpl):
    _locator_classes = [
        type(cls.__name__, (_PackageStamped, cls), {})
        for cls in caching.CompileResultCacheImpl._locator_classes
    ]


class _PackageCache(caching.FunctionCache):
    _impl_class = _PackageCacheImpl


def jit(func=None, *, parallel=False, inline="never"):
    """``numba.njit`` with ``cache=True`` where a cache can be written.

    ``error_model="numpy"`` everywhere: kernels never raise, so a division
    needs no zero check (the check costs ~10% in a loop and changes no bit).
    The dispatch layer (``piece_at``, ``lr_at``) uses ``inline="always"``
    (Numba-IR inlining): without it a table fill through
    :func:`lrjit.kernels.lr_at` ran ~2x slower, the per-piece parameters
    reloaded behind an opaque call on every step.  The family kernels stay
    out of line (LLVM inlines them anyway): inlining them at the Numba-IR
    level too cost 3x the compile time of every driver for no speed.

    The on-disk cache is Numba's, stamped with the whole package's sources
    (see :class:`_PackageStamped`).  Numba raises ``RuntimeError("... no
    locator available ...")`` when neither ``NUMBA_CACHE_DIR``, the package
    folder nor the user cache is writable; lrjit then compiles without a cache
    instead of failing to import.  Use one flag set per Python function: two
    dispatchers of the same function with different flags would share one
    cache entry.
    """

    options = dict(parallel=parallel, inline=inline, error_model="numpy")

    def build(f):
        dispatcher = numba.njit(**options)(f)
        try:
            # What Dispatcher.enable_caching() does, with lrjit's cache class.
            dispatcher._cache = _PackageCache(f)
        except RuntimeError:
            pass  # nowhere writable: keep the dispatcher's null cache
        return dispatcher

    return build if func is None else build(func)


def ufunc(kernel, nargs):
    """A float64 NumPy ufunc of ``nargs`` inputs from a tier-1 kernel.

    It compiles the kernel's own Python source, so it computes the same bits
    as the ``@jit`` kernel.  Not cached on disk: a ufunc's cache would share
    the kernel's cache entry (see :func:`jit`).
    """
    signature = "float64({})".format(", ".join(["float64"] * nargs))
    return numba.vectorize([signature], target="cpu")(kernel.py_func)
