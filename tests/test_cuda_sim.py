"""lrjit.cuda without a GPU: isolation, availability, the simulator, and PTX.

``NUMBA_ENABLE_CUDASIM=1`` only takes effect if it is set before ``numba.cuda``
is imported, and the rest of the suite imports it first (doctests of
``lrjit.cuda``).  So :func:`test_cuda_simulator` runs this very file again in a
child pytest with the variable set, collecting only the ``sim_*`` functions
below (``-o python_functions=sim_*``); their failures show in its output.
Sizes stay small: the simulator runs ~0.2 ms per thread.
"""

import doctest
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import lrjit
from lrjit import sweeps

try:  # module level: the simulator swaps this global inside the kernels below
    from numba import cuda
except ImportError:
    cuda = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IN_SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"


def _mixed():
    """Schedules of different kinds and numbers of pieces (1 to 4)."""
    return [
        lrjit.warmup_cosine(0.1, warmup_steps=5, decay_steps=30, end_value=1e-3),
        lrjit.join(
            [lrjit.linear(0.0, 0.2, 4), lrjit.cosine(0.2, 20, end_value=0.01, periodic=True)], [4]
        ),
        lrjit.multistep(0.5, milestones=[3, 9, 9, 17], gamma=0.3),
        lrjit.exponential(0.3, gamma=0.9),
        lrjit.polynomial(0.4, 0.01, power=2.0, transition_steps=25),
        lrjit.step_decay(0.7, step_size=6, gamma=0.5),
        lrjit.constant(0.05),
    ]


def _rel_error(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    scale = np.where(want == 0.0, 1.0, np.abs(want))
    return float(np.max(np.abs(got - want) / scale, initial=0.0))


# -- in the main process ------------------------------------------------------


@pytest.mark.skipif(IN_SIMULATOR, reason="the parent of the simulator run")
def test_cuda_simulator():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "-o",
        "python_functions=sim_*",
        "-o",
        "addopts=-ra",
        os.path.abspath(__file__),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"simulator run failed:\n{output[-8000:]}"
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) >= 12, f"too few simulator tests ran:\n{output[-3000:]}"


def test_import_lrjit_never_imports_numba_cuda(run_python):
    out = run_python(
        "import sys, lrjit\n"
        "lrjit.sweep('cosine', 8, init_value=[0.1, 0.2], decay_steps=4, target='parallel')\n"
        "lrjit.constant(0.1).table(4)\n"
        "print('numba.cuda' in sys.modules, 'lrjit.cuda' in sys.modules)\n"
        "lrjit.cuda.is_available()\n"
        "print('numba.cuda' in sys.modules, 'lrjit.cuda' in sys.modules)\n"
    )
    assert out.split() == ["False", "False", "True", "True"]


def test_unavailable_without_numba_cuda(run_python):
    # numba.cuda made unimportable, as when neither numba-cuda nor numba's own is there.
    out = run_python(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'numba.cuda' or name.startswith('numba.cuda.'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import lrjit, lrjit.cuda\n"
        "print(lrjit.cuda.is_available())\n"
        "try:\n"
        "    lrjit.sweep([lrjit.constant(1.0)], 4, target='cuda')\n"
        "except RuntimeError as e:\n"
        "    print(e)\n"
    )
    first, message = out.split("\n", 1)
    assert first == "False"
    assert "target='cuda' needs a CUDA GPU" in message and "lrjit[cuda]" in message


def test_unavailable_without_a_gpu(run_python):
    # No visible device (and here no driver): False and a clear error, never a crash.
    env = {"CUDA_VISIBLE_DEVICES": "", "NUMBA_ENABLE_CUDASIM": "0"}
    out = run_python(
        "import lrjit, lrjit.cuda\n"
        "print(lrjit.cuda.is_available(), lrjit.cuda.SIMULATOR)\n"
        "try:\n"
        "    lrjit.sweep('cosine', 4, init_value=0.1, decay_steps=4, target='cuda')\n"
        "except RuntimeError as e:\n"
        "    print(e)\n",
        env=env,
    )
    first, message = out.split("\n", 1)
    assert first == "False False"
    assert "no CUDA GPU or driver was found" in message


@pytest.mark.skipif(IN_SIMULATOR, reason="the simulator replaces the device functions")
def test_device_functions_are_the_cpu_kernels_on_a_gpu():
    import lrjit.cuda

    names = [n for n in lrjit.kernels.__all__ if n != "MAX_PARAMS"]
    assert {"lr_at", "piece_at", "cosine", "multistep"} <= set(names)
    for name in names:
        assert getattr(lrjit.cuda, name) is getattr(lrjit.kernels, name), name
        assert name in lrjit.cuda.__all__


def _gpu_script():
    import importlib.util

    path = os.path.join(ROOT, "benchmarks", "gpu_sweep.py")
    spec = importlib.util.spec_from_file_location("gpu_sweep", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_benchmark_script_arguments():
    script = _gpu_script()
    args = script.parse_args([])
    assert (args.configs, args.steps, args.dtype) == (10**4, 10**5, "float32")
    assert args.cases == ["linear", "step_decay", "cosine", "mixed"]
    tiny = script.parse_args(["--tiny", "--cases", "cosine"])
    assert (tiny.configs, tiny.steps, tiny.repeat, tiny.cases) == (8, 64, 1, ["cosine"])
    with pytest.raises(SystemExit):
        script.parse_args(["--steps", "0"])


def _nvvm_or_skip():
    """numba.cuda able to compile PTX here (NVVM and NVRTC found), else skip."""
    if IN_SIMULATOR:
        pytest.skip("the simulator compiles nothing")
    if cuda is None:
        pytest.skip("numba.cuda is not installed")
    from numba import types

    def probe(x):
        x[0] = 1.0

    try:
        cuda.compile_ptx(probe, (types.float64[::1],), cc=(7, 5))
    except Exception as error:  # missing libnvvm / libnvrtc shows up as several types
        pytest.skip(f"no NVVM for PTX here ({type(error).__name__}: {str(error)[:120]})")


@pytest.fixture
def ptx_cc(monkeypatch):
    """The compute capability to compile for, with NVVM present (else skip).

    numba-cuda compiles the out-of-line device functions a kernel calls (the
    tier-1 kernels) for the current device's compute capability, and asks the
    driver for it; with no GPU, answer with the capability we compile for.
    """
    _nvvm_or_skip()
    from types import SimpleNamespace

    from numba.cuda import dispatcher

    cc = (7, 5)
    monkeypatch.setattr(
        dispatcher, "get_current_device", lambda: SimpleNamespace(compute_capability=cc)
    )
    return cc


@pytest.mark.ptx
@pytest.mark.parametrize("out_type", ["float32", "float64"])
def test_sweep_kernel_compiles_to_ptx(out_type, ptx_cc):
    from numba import types

    from lrjit.cuda import _kernels

    sig = (
        types.int64[:, ::1],
        types.float64[:, :, ::1],
        types.float64[:, ::1],
        types.float64[::1],
        getattr(types, out_type)[:, ::1],
    )
    ptx, _ = cuda.compile_ptx(_kernels._sweep, sig, cc=ptx_cc)
    assert re.search(r"\.visible \.entry \S*_sweep", ptx)
    assert "cos.approx" not in ptx  # libdevice's accurate cos, not the fast-math one
    store = "st.global.f32" if out_type == "float32" else "st.global.f64"
    assert store in ptx


@pytest.mark.ptx
def test_user_kernel_calling_lrjit_compiles_to_ptx(ptx_cc):
    from numba import types

    from lrjit.kernels import cosine, lr_at

    def train(kinds, params, starts, base_lrs, weights, n_steps):
        i = cuda.grid(1)
        if i < weights.shape[0]:
            w = weights[i]
            for t in range(n_steps):
                lr = lr_at(kinds[i], params[i], starts[i], float(t))
                lr += cosine(float(t), base_lrs[i], 100.0, 0.0, 0)
                w -= lr * 2.0 * w
            weights[i] = w

    sig = (
        types.int64[:, ::1],
        types.float64[:, :, ::1],
        types.float64[:, ::1],
        types.float64[::1],
        types.float64[::1],
        types.int64,
    )
    ptx, _ = cuda.compile_ptx(train, sig, cc=ptx_cc)
    assert re.search(r"\.visible \.entry \S*train", ptx)


# -- in the simulator (collected only by the child run) -----------------------


def sim_is_available_under_the_simulator():
    import lrjit.cuda

    assert lrjit.cuda.SIMULATOR and lrjit.cuda.is_available()


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-6)])
def sim_sweep_mixed_list_matches_cpu(dtype, tol):
    scheds = _mixed()
    got = lrjit.sweep(scheds, 40, target="cuda", dtype=dtype)
    assert cuda.devicearray.is_cuda_ndarray(got) and got.dtype == dtype
    host = got.copy_to_host()
    assert host.shape == (len(scheds), 40)
    assert _rel_error(host, lrjit.sweep(scheds, 40)) <= tol
    for c, s in enumerate(scheds):  # and against each schedule's own table
        assert _rel_error(host[c], s.table(40)) <= tol


def sim_exp_and_tanh_match_cpu():
    # tanh's exp (lrjit.kernels.exp) in a kernel of one's own: the CPU's bits, and so is the
    # pure Python source; tanh sweeps within 1e-12 (on a GPU, NVVM's FMAs: tests/test_exp.py)
    from lrjit.kernels.exp import exp

    @cuda.jit
    def kernel(xs, out, out_py):
        i = cuda.grid(1)
        if i < xs.shape[0]:
            out[i] = exp(xs[i])
            out_py[i] = exp.py_func(xs[i])  # the source as the simulator runs Python

    special = [0.0, -0.0, 5e-324, 1.0, -1.0, 709.782712893384, 710.0, -745.1332191019411,
               -720.0, -746.0, np.inf, -np.inf, np.nan]
    xs = np.concatenate([special, np.random.default_rng(2).uniform(-746.0, 710.0, 51)])
    out, out_py = np.empty_like(xs), np.empty_like(xs)
    kernel[1, 64](xs, out, out_py)
    want = np.array([exp(x) for x in xs.tolist()])
    for got in (out, out_py):
        assert np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(got.view(np.int64)[:-52], want.view(np.int64)[:-52])  # -0.0s too

    scheds = [lrjit.tanh(0.1, 30), lrjit.tanh(0.5, 25, end_value=0.01, lower=-20.0, upper=20.0),
              lrjit.tanh(1.0, 10, lower=-1e6, upper=1e6)]
    host = lrjit.sweep(scheds, 40, target="cuda").copy_to_host()
    assert _rel_error(host, lrjit.sweep(scheds, 40)) <= 1e-12
    for c, s in enumerate(scheds):
        assert _rel_error(host[c], s.table(40)) <= 1e-12


def sim_sweep_family_grid_into_device_out():
    params = dict(init_value=[[0.1], [0.2]], decay_steps=[5, 10, 20], end_value=0.01)
    out = cuda.device_array((2, 3, 24), dtype=np.float32)
    assert lrjit.sweep("cosine", 24, target="cuda", out=out, **params) is out
    assert _rel_error(out.copy_to_host(), lrjit.sweep("cosine", 24, **params)) <= 1e-6


def sim_sweep_fractional_steps_into_numpy_out():
    scheds = _mixed()[:3]
    steps = np.array([0.0, 0.25, 3.5, 4.0, 4.5, 8.999, 9.0, 17.0, 29.75, 1e4])
    out = np.full((3, len(steps)), np.nan)
    assert lrjit.sweep(scheds, steps, target="cuda", out=out) is out
    assert _rel_error(out, np.array([s(steps) for s in scheds])) <= 1e-12


def sim_fill_with_program_on_device():
    import lrjit.cuda

    program = [cuda.to_device(a) for a in sweeps.stack(_mixed())]
    steps = cuda.to_device(np.arange(30.0))
    out = cuda.device_array((7, 30))
    assert lrjit.cuda.fill(*program, steps, out) is out
    assert _rel_error(out.copy_to_host(), lrjit.sweep(_mixed(), 30)) <= 1e-12
    with pytest.raises(TypeError, match="out must be a device array"):
        lrjit.cuda.fill(*program, steps, np.empty((7, 30)))
    with pytest.raises(ValueError, match=r"out must have shape \(7, 30\), got \(7, 29\)"):
        lrjit.cuda.fill(*program, steps, cuda.device_array((7, 29)))
    with pytest.raises(TypeError, match="out must have dtype float64 or float32, got int64"):
        lrjit.cuda.fill(*program, steps, cuda.device_array((7, 30), dtype=np.int64))


def sim_sweep_cuda_errors():
    with pytest.raises(ValueError, match=r"out must have shape \(2, 4\)"):
        lrjit.sweep(_mixed()[:2], 4, target="cuda", out=cuda.device_array((2, 5)))
    with pytest.raises(TypeError, match="dtype float32 does not match"):
        lrjit.sweep(_mixed()[:2], 4, target="cuda", dtype=np.float32, out=cuda.device_array((2, 4)))
    with pytest.raises(ValueError, match="index 1: init_value"):
        lrjit.sweep("cosine", 4, init_value=[0.1, -1.0], decay_steps=4, target="cuda")


def sim_sweep_empty():
    assert lrjit.sweep([], 5, target="cuda").shape == (0, 5)
    assert lrjit.sweep(_mixed(), 0, target="cuda").shape == (7, 0)


def _train_on_cpu(schedules, n_steps, w0):
    """SGD on the loss w**2 with each model's schedule: the reference training."""
    w = np.array(w0, dtype=np.float64)
    for t in range(n_steps):
        w -= np.array([s(t) for s in schedules]) * 2.0 * w
    return w


def sim_user_kernel_lr_at_on_stacked_program():
    # Thread i trains model i with schedule i, reading the stacked program.
    from lrjit.cuda import lr_at

    @cuda.jit
    def train(kinds, params, starts, weights, n_steps):
        i = cuda.grid(1)
        if i < weights.shape[0]:
            w = weights[i]
            for t in range(n_steps):
                w -= lr_at(kinds[i], params[i], starts[i], float(t)) * 2.0 * w
            weights[i] = w

    scheds = _mixed()
    program = [cuda.to_device(a) for a in sweeps.stack(scheds)]
    w0 = np.linspace(1.0, 2.0, len(scheds))
    weights = cuda.to_device(w0)
    train[1, 32](*program, weights, 35)
    assert _rel_error(weights.copy_to_host(), _train_on_cpu(scheds, 35, w0)) <= 1e-12


def sim_user_kernel_tier1_kernels_directly():
    # The same, with per-model parameters fed straight into tier-1 kernels.
    from lrjit.cuda import cosine, multistep, step_decay

    @cuda.jit
    def train(base_lrs, lengths, milestones, weights, n_steps):
        i = cuda.grid(1)
        if i < weights.shape[0]:
            w = weights[i]
            for t in range(n_steps):
                lr = cosine(float(t), base_lrs[i], lengths[i], 0.0, 0)
                lr += step_decay(float(t), base_lrs[i], 7.0, 0.5)
                lr += multistep(float(t), base_lrs[i], 0.1, milestones)
                w -= lr * 2.0 * w
            weights[i] = w

    base = np.array([0.01, 0.05, 0.1])
    lengths = np.array([10.0, 20.0, 40.0])
    marks = np.array([5.0, 15.0])
    weights = cuda.to_device(np.ones(3))
    train[1, 32](base, lengths, marks, weights, 30)
    scheds = []
    for b, n in zip(base, lengths):
        parts = [lrjit.cosine(b, int(n)), lrjit.step_decay(b, 7, gamma=0.5),
                 lrjit.multistep(b, [5, 15])]
        scheds.append(parts)
    w = np.ones(3)
    for t in range(30):
        w -= np.array([sum(p(t) for p in parts) for parts in scheds]) * 2.0 * w
    assert _rel_error(weights.copy_to_host(), w) <= 1e-12


def sim_docstring_examples_run_on_the_device():
    # lrjit.cuda's examples skip their device lines in the CPU doctest run;
    # here those lines run, in the simulator.
    import lrjit.cuda
    from lrjit.cuda import _kernels

    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    skipped = 0
    for module in (lrjit.cuda, _kernels):
        for test in doctest.DocTestFinder().find(module):
            for example in test.examples:
                skipped += bool(example.options.pop(doctest.SKIP, False))
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and skipped >= 9 and result.attempted >= 20


def sim_gpu_benchmark_script_tiny(tmp_path):
    module = _gpu_script()
    output = tmp_path / "gpu-sim.md"
    rows = module.main(["--tiny", "--output", str(output)])
    assert [r["case"] for r in rows] == ["plain fill", "linear", "step_decay", "cosine", "mixed"]
    assert all(r["ms"] > 0 for r in rows)
    assert all(r["max_rel"] <= 1e-6 for r in rows[1:])
    text = output.read_text()
    assert "CUDA simulator" in text and "| linear |" in text


def sim_dask_blocks_on_the_device():
    da = pytest.importorskip("dask.array")
    lrs = da.from_array(np.linspace(0.01, 0.1, 6), chunks=2)
    lazy = lrjit.sweep("cosine", 12, init_value=lrs, decay_steps=8, target="cuda")
    got = lazy.compute(scheduler="synchronous")
    want = lrjit.sweep("cosine", 12, init_value=np.linspace(0.01, 0.1, 6), decay_steps=8)
    assert isinstance(got, np.ndarray) and _rel_error(got, want) <= 1e-12


def sim_float32_sweep_beyond_float32_range_is_refused():
    big = [lrjit.constant(0.5), lrjit.constant(1e39)]
    for out in (None, np.empty((2, 3), np.float32), cuda.device_array((2, 3), np.float32)):
        with pytest.raises(ValueError, match="float32's largest value"):
            lrjit.sweep(big, 3, target="cuda", dtype=np.float32, out=out)
    fine = lrjit.sweep([lrjit.constant(3e38)], 3, target="cuda", dtype=np.float32)
    assert fine.copy_to_host().tolist() == [[np.float32(3e38)] * 3]
    assert lrjit.sweep(big, 3, target="cuda").copy_to_host()[1].tolist() == [1e39] * 3
