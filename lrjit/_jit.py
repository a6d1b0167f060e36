"""Tier 0: the one module that chooses Numba options.

Every compiled function in lrjit is built here, so that caching, fastmath (off,
for bitwise-deterministic results) and ufunc signatures are decided once.
Nothing is compiled at import: dispatchers compile on first call.
"""

import hashlib
import pathlib
import warnings

import numba
from numba.core import caching, cgutils
from numba.extending import intrinsic

__all__ = ["jit", "ufunc", "borrowed", "CacheWarning"]


class CacheWarning(RuntimeWarning):
    """lrjit could not read or write its on-disk compilation cache.

    lrjit then compiles in memory (~0.1 s per kernel, a few seconds for
    everything) and keeps working.  Emitted at most once per process; silence
    it with ``warnings.filterwarnings("ignore", category=lrjit.CacheWarning)``
    or point ``NUMBA_CACHE_DIR`` at a writable folder.
    """


_warned = False


def _warn_once(message):
    """Warn with :class:`CacheWarning` the first time in this process only."""
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, CacheWarning, stacklevel=2)


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


class _TolerantCacheFile(caching.IndexDataCacheFile):
    """An index that cannot be read (truncated, foreign, another user's) counts as empty.

    Saving then replaces it atomically (Numba writes a temporary file and
    renames it), so a corrupt index heals on the next compile.
    """

    def _load_index(self):
        try:
            return super()._load_index()
        except Exception:  # noqa: BLE001 - any garbage a foreign pickle can raise
            return {}


class _PackageCache(caching.FunctionCache):
    """Numba's function cache, stamped by package, that never fails a compile.

    A cache entry that cannot be read (``UnpicklingError``, ``EOFError``, a
    ``TypeError`` from a foreign ``CompileResult``, ``PermissionError`` on
    another user's 0600 file) is recompiled; one that cannot be written (a
    folder made read-only after import, a full disk) is skipped.  Either way
    one :class:`CacheWarning` per process says so.  Concurrent processes lose
    nothing: every write is a temporary file renamed into place.
    """

    _impl_class = _PackageCacheImpl

    def __init__(self, py_func):
        super().__init__(py_func)
        self._cache_file = _TolerantCacheFile(
            cache_path=self._cache_path,
            filename_base=self._impl.filename_base,
            source_stamp=self._impl.locator.get_source_stamp(),
        )

    def load_overload(self, sig, target_context):
        try:
            return super().load_overload(sig, target_context)
        except Exception as error:  # noqa: BLE001 - a cache miss, never a failure
            _warn_once(
                f"lrjit ignored an unreadable compilation cache entry in {self._cache_path} "
                f"({type(error).__name__}: {error}) and recompiled"
            )
            return None

    def save_overload(self, sig, data):
        try:
            super().save_overload(sig, data)
        except Exception as error:  # noqa: BLE001
            _warn_once(
                f"lrjit could not write its compilation cache in {self._cache_path} "
                f"({type(error).__name__}: {error}); every new process compiles again "
                "(set NUMBA_CACHE_DIR to a writable folder)"
            )


class NullCache(caching.NullCache):
    """Numba's null cache, for when no folder is writable: warns once at the first compile."""

    def save_overload(self, sig, cres):
        _warn_once(
            "lrjit found no writable folder for its compilation cache (NUMBA_CACHE_DIR, "
            "the package folder, the user cache): every process compiles again, a few "
            "seconds; set NUMBA_CACHE_DIR to a writable folder"
        )


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
    instead of failing to import, and says so once with a :class:`CacheWarning`.
    Unreadable or unwritable cache entries are recompiled (:class:`_PackageCache`).
    Use one flag set per Python function: two
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
            # nowhere writable: no cache, and a CacheWarning at the first compile
            dispatcher._cache = NullCache()
        return dispatcher

    return build if func is None else build(func)


@intrinsic
def borrowed(typingctx, array):
    """``array`` without its reference count: the same data, no owner.

    Numba's ``inline="always"`` binds an inlined function's array arguments
    to new variables, and each one costs an atomic increment and decrement
    (``NRT_incref``/``NRT_decref``) where its lifetime spans a loop or a large
    switch: LLVM cannot remove them, and :func:`lrjit.kernels.lr_at` over a
    two-piece join ran 2.5x its inlined formula in a user's loop.  A borrowed
    view has no owner, so every copy of it is free.  Sound only while the
    caller holds ``array`` and nothing keeps the view: a compiled function
    may read it and must not return or store it.
    """

    def codegen(context, builder, signature, args):
        source = context.make_array(array)(context, builder, args[0])
        view = context.make_array(array)(context, builder)
        for field in ("nitems", "itemsize", "data", "shape", "strides"):
            setattr(view, field, getattr(source, field))
        view.meminfo = cgutils.get_null_value(view.meminfo.type)
        view.parent = cgutils.get_null_value(view.parent.type)
        return view._getvalue()

    return array(array), codegen


def ufunc(kernel, nargs):
    """A float64 NumPy ufunc of ``nargs`` inputs from a tier-1 kernel.

    It compiles the kernel's own Python source, so it computes the same bits
    as the ``@jit`` kernel.  With fewer inputs than the kernel has parameters,
    the kernel's defaults fill the rest (its program options, e.g. ``libm_cos``:
    a ufunc computes what a core schedule does).  Not cached on disk: a ufunc's
    cache would share the kernel's cache entry (see :func:`jit`).
    """
    signature = "float64({})".format(", ".join(["float64"] * nargs))
    func = kernel.py_func
    if func.__code__.co_argcount != nargs:
        func = _FIRST[nargs](kernel)
    return numba.vectorize([signature], target="cpu")(func)


# numba.vectorize needs a function of exactly its inputs: the kernel's first
# n parameters, its defaults for the rest (written out: numba takes no *args here).
_FIRST = {
    2: lambda k: lambda a, b: k(a, b),
    3: lambda k: lambda a, b, c: k(a, b, c),
    4: lambda k: lambda a, b, c, d: k(a, b, c, d),
    5: lambda k: lambda a, b, c, d, e: k(a, b, c, d, e),
    6: lambda k: lambda a, b, c, d, e, f: k(a, b, c, d, e, f),
    7: lambda k: lambda a, b, c, d, e, f, g: k(a, b, c, d, e, f, g),
    8: lambda k: lambda a, b, c, d, e, f, g, h: k(a, b, c, d, e, f, g, h),
    9: lambda k: lambda a, b, c, d, e, f, g, h, i: k(a, b, c, d, e, f, g, h, i),
    10: lambda k: lambda a, b, c, d, e, f, g, h, i, j: k(a, b, c, d, e, f, g, h, i, j),
    11: lambda k: lambda a, b, c, d, e, f, g, h, i, j, l: k(a, b, c, d, e, f, g, h, i, j, l),
    12: lambda k: lambda a, b, c, d, e, f, g, h, i, j, l, m: k(a, b, c, d, e, f, g, h, i, j, l, m),
    13: lambda k: lambda a, b, c, d, e, f, g, h, i, j, l, m, n: k(
        a, b, c, d, e, f, g, h, i, j, l, m, n
    ),
}
