"""Compilation: nothing at import, warmup() on demand, and the guarded on-disk cache."""

import ctypes
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import lrjit
from lrjit import tables
from lrjit.kernels import dispatch

PACKAGE = Path(lrjit.__file__).parent
NOBODY = 65534


def test_import_compiles_nothing(tmp_path, run_python):
    code = textwrap.dedent("""
        import json, sys
        from numba.core import event
        from numba.core.dispatcher import Dispatcher

        compiled = []

        class Recorder(event.Listener):
            def on_start(self, ev):
                compiled.append(str(ev.data.get("dispatcher")))

            def on_end(self, ev):
                pass

        event.register("numba:compile", Recorder())
        import lrjit

        dispatchers = {
            f"{mod.__name__}.{name}": len(obj.overloads)
            for mod in [m for n, m in sys.modules.items() if n.split(".")[0] == "lrjit"]
            for name, obj in vars(mod).items()
            if isinstance(obj, Dispatcher)
        }
        at_import = list(compiled)
        heavy = [m for m in sys.modules if m.split(".")[0] in ("torch", "matplotlib")]
        lrjit.cosine(1.0, 10)(0.5)  # proves the recorder sees compilations
        print(json.dumps(dict(dispatchers=dispatchers, at_import=at_import, heavy=heavy,
                              after_use=len(compiled))))
    """)
    # an empty cache folder: the first use below must compile, not load
    out = run_python(code, env={"NUMBA_CACHE_DIR": str(tmp_path)})
    result = json.loads(out)
    names = set(result["dispatchers"])
    assert {"lrjit.kernels.dispatch.lr_at", "lrjit.tables.fill_parallel"} <= names
    assert len(names) >= 13, names  # 8 kernels, 2 dispatch, 3 drivers at least
    assert not any(result["dispatchers"].values()), result["dispatchers"]
    assert result["at_import"] == []
    assert result["heavy"] == []
    assert result["after_use"] > 0


def test_warmup_compiles_and_reports(capsys):
    seconds = lrjit.warmup()
    assert isinstance(seconds, float) and seconds > 0
    err = capsys.readouterr().err
    assert err.startswith("lrjit") and f"{seconds:.2f}" in err and err.count("\n") == 1
    for d in (dispatch.driver_lr_at, tables.fill_serial, tables.fill_parallel, tables.evaluate):
        assert d.signatures, d
    assert lrjit.warmup(verbose=False) > 0
    assert capsys.readouterr().err == ""


def test_writable_cache_is_used(tmp_path, run_python):
    code = textwrap.dedent("""
        import json, lrjit
        from lrjit import tables
        lrjit.cosine(1.0, 10).table(8, parallel=False)
        stats = tables.fill_serial.stats
        print(json.dumps([sum(stats.cache_hits.values()), sum(stats.cache_misses.values())]))
    """)
    env = {"NUMBA_CACHE_DIR": str(tmp_path)}
    hits, misses = json.loads(run_python(code, env=env))
    assert (hits, misses) == (0, 1)
    assert any(tmp_path.rglob("*.nbi"))
    hits, misses = json.loads(run_python(code, env=env))
    assert (hits, misses) == (1, 0)


def test_edit_to_an_inlined_kernel_invalidates_cached_drivers(tmp_path, run_python):
    # Compiled code holds the code of the kernels it calls from other files
    # (the table drivers hold every family's): Numba's per-file stamp alone
    # would keep serving the old machine code after an edit to one of them.
    # warmup_cosine's kernel calls cosine's, from another file: a cheap stand-in.
    package = tmp_path / "src" / "lrjit"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    code = textwrap.dedent("""
        import json, lrjit
        from lrjit.kernels import warmup_cosine
        assert lrjit.__file__.startswith(%r), lrjit.__file__
        assert warmup_cosine(5.0, 1.0, 10.0, 110.0, 0.0, 0.0) == 0.5
        stats = warmup_cosine.stats
        print(json.dumps([sum(stats.cache_hits.values()), sum(stats.cache_misses.values())]))
    """ % str(package))
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(package.parent)}
    run = dict(env=env, cwd=tmp_path)  # not the checkout's cwd, which would shadow the copy
    assert json.loads(run_python(code, **run)) == [0, 1]
    assert json.loads(run_python(code, **run)) == [1, 0]
    with open(package / "families" / "cosine.py", "a") as f:
        f.write("# an edit in another file than warmup_cosine.py\n")
    assert json.loads(run_python(code, **run)) == [0, 1]


# -- read-only everything: lrjit must still import and compute


def _set_modes(root, dir_mode, file_mode):
    for path, dirs, files in os.walk(root):
        os.chmod(path, dir_mode)
        for f in files:
            os.chmod(os.path.join(path, f), file_mode)


def _become_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _drop_dac_override():
    """Stay uid 0 but lose CAP_DAC_OVERRIDE and CAP_FOWNER from exec on: modes then apply."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 3):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), f"prctl(PR_CAPBSET_DROP, {cap})")


UNWRITABLE = 77  # the child's exit code when a folder it must not write to is writable

CHILD = textwrap.dedent("""
    import json, os, sys

    for folder in (os.environ["NUMBA_CACHE_DIR"], os.environ["LRJIT_PACKAGE"], os.environ["HOME"]):
        try:
            open(os.path.join(folder, "probe"), "w").close()
        except PermissionError:
            pass
        else:
            print(f"{folder} is writable: the test would prove nothing", file=sys.stderr)
            sys.exit(77)  # UNWRITABLE

        import lrjit
    from lrjit import tables

    assert os.path.dirname(lrjit.__file__) == os.environ["LRJIT_PACKAGE"], lrjit.__file__
    s = lrjit.join([lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 100, end_value=0.1)], [10])
    print(json.dumps(dict(
        cache=type(tables.fill_serial._cache).__name__,
        scalar=s(55.5),
        kernel=[lrjit.kernels.linear(float(t), 0.0, 1.0, 10.0, 0.0) for t in range(20)],
    )))
""")


def _run_unprivileged(run):
    """Run CHILD where chmod binds: as is, or for root as nobody or without CAP_DAC_OVERRIDE."""
    if os.geteuid() != 0:
        return subprocess.run([sys.executable, "-c", CHILD], **run)
    reasons = []
    for way in (_become_nobody, _drop_dac_override):
        try:
            proc = subprocess.run([sys.executable, "-c", CHILD], preexec_fn=way, **run)
        except (OSError, subprocess.SubprocessError) as error:
            reasons.append(f"{way.__name__}: {error}")
            continue
        if proc.returncode != UNWRITABLE:
            return proc
        reasons.append(f"{way.__name__}: {proc.stderr.strip()}")
    pytest.skip("running as root and cannot make folders unwritable: " + "; ".join(reasons))


def test_read_only_cache_and_package_still_import_and_compute():
    root = tempfile.mkdtemp(prefix="lrjit-readonly-", dir="/tmp")
    try:
        package = os.path.join(root, "site", "lrjit")
        shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
        for folder in ("cache", "home"):
            os.mkdir(os.path.join(root, folder))
        _set_modes(root, 0o555, 0o444)

        env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))}
        env.update(
            NUMBA_CACHE_DIR=os.path.join(root, "cache"),
            HOME=os.path.join(root, "home"),
            PYTHONPATH=os.path.join(root, "site"),
            PYTHONDONTWRITEBYTECODE="1",
            LRJIT_PACKAGE=package,
        )
        run = dict(env=env, cwd=root, capture_output=True, text=True, timeout=300)
        proc = _run_unprivileged(run)
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
    finally:
        _set_modes(root, 0o755, 0o644)
        shutil.rmtree(root)

    assert result["cache"] == "NullCache"  # the guard took the no-cache path
    s = lrjit.join([lrjit.linear(0.0, 1.0, 10), lrjit.cosine(1.0, 100, end_value=0.1)], [10])
    assert result["scalar"] == s(55.5)
    assert abs(result["scalar"] - (0.1 + 0.9 * (1 + math.cos(math.pi * 45.5 / 100)) / 2)) < 1e-15
    assert result["kernel"] == [min(t / 10, 1.0) for t in range(20)]


# -- faults in the cache: ignored, recompiled, one warning, never fatal

# A kernel (one cached function that calls others) rather than a table: the
# cache code is the same for every function, and a cold table driver takes
# most of a minute to compile in each child.
FAULT_CHILD = textwrap.dedent("""
    import json, warnings
    warnings.simplefilter("always")
    with warnings.catch_warnings(record=True) as caught:
        import lrjit
        from lrjit.kernels import warmup_cosine
        serial = [warmup_cosine(float(t), 1.0, 10.0, 110.0, 0.0, 0.1) for t in range(50)]
        scalar = warmup_cosine(55.5, 1.0, 10.0, 110.0, 0.0, 0.1)
    stats = warmup_cosine.stats
    print(json.dumps(dict(
        serial=serial, scalar=scalar,
        hits=sum(stats.cache_hits.values()), misses=sum(stats.cache_misses.values()),
        warnings=[(w.category.__name__, str(w.message)) for w in caught
                  if issubclass(w.category, lrjit.CacheWarning)],
    )))
""")


def _expected():
    s = lrjit.warmup_cosine(1.0, 10, 110, end_value=0.1)
    return s.table(50).tolist(), s(55.5)


def _check_result(result):
    table, scalar = _expected()
    assert result["serial"] == table
    assert result["scalar"] == scalar
    assert table[5] == 0.5 and table[10] == 1.0  # the oracle: linear, then cosine from 1
    assert abs(scalar - (0.1 + 0.9 * (1 + math.cos(math.pi * 45.5 / 100)) / 2)) < 1e-15


@pytest.fixture(scope="module")
def filled_cache(tmp_path_factory):
    """A cache folder that FAULT_CHILD filled (one compile for the whole module)."""
    folder = tmp_path_factory.mktemp("filled")
    proc = subprocess.run([sys.executable, "-c", FAULT_CHILD], capture_output=True, text=True,
                          env={**os.environ, "NUMBA_CACHE_DIR": str(folder)}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    first = json.loads(proc.stdout)
    assert first["warnings"] == [] and first["misses"] == 1
    return folder


@pytest.fixture
def _fill_cache(filled_cache):
    def fill(folder, run_python=None):
        shutil.copytree(filled_cache, folder, dirs_exist_ok=True)
        return {"NUMBA_CACHE_DIR": str(folder)}

    return fill


def _corrupt(path, how):
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    else:  # foreign: a valid pickle of something else entirely
        import pickle

        path.write_bytes(data[:0] + pickle.dumps(("not", "numba", 42)))


@pytest.mark.parametrize(
    "suffix, how",
    [("nbi", "truncated"), ("nbc", "truncated"), ("nbi", "foreign"), ("nbc", "empty")],
)
def test_corrupt_cache_files_are_recompiled_and_healed(
    tmp_path, run_python, _fill_cache, suffix, how
):
    env = _fill_cache(tmp_path, run_python)
    files = list(tmp_path.rglob(f"*.{suffix}"))
    assert files, list(tmp_path.rglob("*"))
    for f in files:
        _corrupt(f, how)
    result = json.loads(run_python(FAULT_CHILD, env=env))
    _check_result(result)
    assert result["misses"] == 1 and len(result["warnings"]) <= 1
    # the next compile rewrote the entry: a later process loads it again
    healed = json.loads(run_python(FAULT_CHILD, env=env))
    _check_result(healed)
    assert (healed["hits"], healed["misses"]) == (1, 0) and healed["warnings"] == []


def test_a_foreign_compile_result_is_recompiled(tmp_path, run_python, _fill_cache):
    # A data file of another numba's CompileResult: the rebuild raises TypeError.
    env = _fill_cache(tmp_path, run_python)
    import pickle

    for f in tmp_path.rglob("*.nbc"):
        f.write_bytes(pickle.dumps((1, 2, 3)))
    result = json.loads(run_python(FAULT_CHILD, env=env))
    _check_result(result)
    assert result["misses"] == 1
    assert len(result["warnings"]) == 1 and "recompiled" in result["warnings"][0][1]


def _run_child(code, run):
    if os.geteuid() != 0:
        return subprocess.run([sys.executable, "-c", code], **run)
    for way in (_become_nobody, _drop_dac_override):
        try:
            return subprocess.run([sys.executable, "-c", code], preexec_fn=way, **run)
        except (OSError, subprocess.SubprocessError):
            continue
    pytest.skip("running as root and cannot drop the right to write anywhere")


def _fault_env(cache):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["NUMBA_CACHE_DIR"] = str(cache)
    return dict(env=env, capture_output=True, text=True, timeout=300)


def test_cache_folder_made_read_only_after_import(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    os.chmod(tmp_path, 0o777)
    os.chmod(cache, 0o777)
    code = textwrap.dedent("""
        import os, stat, sys
        import lrjit  # locates (and probes) the writable cache folder
        folder = os.environ["NUMBA_CACHE_DIR"]
        for path, dirs, files in os.walk(folder):
            os.chmod(path, 0o555)
        try:
            open(os.path.join(folder, "probe"), "w").close()
        except PermissionError:
            pass
        else:
            sys.exit(77)
    """) + FAULT_CHILD
    proc = _run_child(code, _fault_env(cache))
    try:
        if proc.returncode == 77:
            pytest.skip("cannot make the cache folder read-only here")
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
    finally:
        _set_modes(tmp_path, 0o777, 0o666)
    _check_result(result)
    assert len(result["warnings"]) == 1, result["warnings"]
    assert "could not write" in result["warnings"][0][1]


def _drop_file_caps():
    """Root without CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from exec on."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), f"prctl(PR_CAPBSET_DROP, {cap})")


def test_another_users_private_cache_files_are_ignored(_fill_cache):
    # A shared sticky cache folder (like /tmp) holding another user's 0600 files,
    # which we can neither read nor replace: the files go to nobody, and we stay
    # root without CAP_DAC_OVERRIDE and CAP_FOWNER, so modes and the sticky bit bind.
    if os.geteuid() != 0:
        pytest.skip("needs root to leave files that belong to another user")
    root = tempfile.mkdtemp(prefix="lrjit-shared-", dir="/tmp")
    try:
        cache = os.path.join(root, "cache")
        env = _fill_cache(cache)
        _set_modes(root, 0o1777, 0o600)
        for path, dirs, files in os.walk(cache):
            for name in dirs + files:
                os.chown(os.path.join(path, name), NOBODY, NOBODY)
        run = _fault_env(cache)
        try:
            proc = subprocess.run([sys.executable, "-c", FAULT_CHILD],
                                  preexec_fn=_drop_file_caps, cwd=root, **run)
        except (OSError, subprocess.SubprocessError) as error:
            pytest.skip(f"cannot drop CAP_DAC_OVERRIDE: {error}")
    finally:
        _set_modes(root, 0o755, 0o644)
        shutil.rmtree(root)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    _check_result(result)
    assert result["misses"] == 1 and len(result["warnings"]) == 1, (result, proc.stderr)
    assert env["NUMBA_CACHE_DIR"] in result["warnings"][0][1]


def test_no_writable_cache_warns_once(tmp_path):
    code = textwrap.dedent("""
        import json, warnings
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as caught:
            import lrjit
            # cold compiles of several functions (each kernel calls others): one warning
            lrjit.kernels.warmup_cosine(1.0, 1.0, 10.0, 110.0, 0.0, 0.1)
            lrjit.kernels.linear(1.0, 1.0, 0.0, 10.0, 0.0)
            lrjit.kernels.polynomial(1.0, 1.0, 0.0, 2.0, 10.0, 0.0)
        print(json.dumps([(w.category.__name__, str(w.message)) for w in caught]))
        # and users can filter it by category
        import lrjit._jit as j
        j._warned = False
        warnings.resetwarnings()
        warnings.filterwarnings("error")
        warnings.filterwarnings("ignore", category=lrjit.CacheWarning)
        lrjit.kernels.constant(1.0, 0.5)
        lrjit._jit._warn_once("x")
    """)
    folder = tmp_path / "ro"
    folder.mkdir()
    env = _fault_env(folder)
    home = tmp_path / "home"
    home.mkdir()
    package = tmp_path / "site" / "lrjit"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    env["env"].update(HOME=str(home), PYTHONPATH=str(package.parent), PYTHONDONTWRITEBYTECODE="1")
    env["env"] = {k: v for k, v in env["env"].items() if not k.startswith("XDG_")}
    _set_modes(tmp_path, 0o555, 0o444)
    try:
        proc = _run_child(code, dict(env, cwd=str(tmp_path)))
    finally:
        _set_modes(tmp_path, 0o755, 0o644)
    assert proc.returncode == 0, proc.stderr
    caught = json.loads(proc.stdout)
    assert len(caught) == 1, caught
    assert caught[0][0] == "CacheWarning" and "NUMBA_CACHE_DIR" in caught[0][1]


def test_concurrent_processes_share_one_fresh_cache(tmp_path):
    env = _fault_env(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", FAULT_CHILD], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env["env"])
             for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        result = json.loads(out)
        _check_result(result)
        assert result["warnings"] == []
    after = subprocess.run([sys.executable, "-c", FAULT_CHILD], **env)
    result = json.loads(after.stdout)
    assert (result["hits"], result["misses"]) == (1, 0) and result["warnings"] == []
