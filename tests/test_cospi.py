"""lrjit.kernels.cospi: accuracy against mpmath, exact values, vectorization, CUDA.

The oracle is ``mpmath.cospi`` at 160 bits on the exact binary value of each
argument (mpmath reduces ``x`` modulo 2 exactly, as ``cospi`` does).  Two
measures per argument: the distance in ulps between ``cospi(x)`` and the
correctly rounded value (the claim: at most 1), and the error against the
exact value in ulps of its binade (a fraction; below 1 implies the claim).

``LRJIT_THOROUGH=1`` adds millions of random arguments and re-derives the
polynomial coefficients with mpmath (slow: minutes).

The CUDA simulator part runs this file again in a child pytest with
``NUMBA_ENABLE_CUDASIM=1`` and only the ``sim_*`` functions (as
``tests/test_cuda_sim.py`` does).
"""

import math
import os
import platform
import re
import subprocess
import sys

import numba
import numpy as np
import pytest
from floats import compiled_table, contracted, ordered, same_bits, significant_bits, ulp_errors
from ptx import table_kernel_ptx

from lrjit.kernels import cospi as cospi_module
from lrjit.kernels.cospi import cospi

mp = pytest.importorskip("mpmath")

try:  # module level: the simulator swaps this global inside the kernels below
    from numba import cuda
except ImportError:
    cuda = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IN_SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
THOROUGH = os.environ.get("LRJIT_THOROUGH") == "1"
PREC = 160


cospi_array = compiled_table(cospi)


def measure(xs, got):
    """:func:`floats.ulp_errors` of ``cospi`` at :data:`PREC` bits."""
    return ulp_errors(xs, got, mp.cospi, PREC)


def sample(rng, n):
    """``n`` random arguments at each of several scales."""
    pieces = [
        rng.uniform(0.0, 1.0, n),
        rng.uniform(0.0, 2.0, n),
        rng.uniform(-1e6, 1e6, n),
        rng.uniform(0.0, 2.0**60, n),
        rng.uniform(0.24, 0.26, n),  # where cos(pi r) hands over to sin(pi r)
        rng.uniform(0.49, 0.51, n),  # zero crossing
        rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-30, 20, n),  # every binade
        np.arange(n) / rng.integers(3, 10**6, n),  # table arguments t/T
    ]
    return np.concatenate(pieces)


BOUNDARIES = [
    0.0, -0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 7.0, 8.0,
    -0.25, -0.5, -1.0, -1.5, 1 / 3, 2 / 3, 1 / 6, 0.1,
    5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1e-20, 2.0**-30,
    2.0**52, 2.0**52 - 1, 2.0**52 + 1, 2.0**52 - 0.5, 2.0**52 - 1.5, 2.0**53, 2.0**53 - 1,
    2.0**53 + 2, 2.0**62, -(2.0**62), 1e300, -1e300, 1.7976931348623157e308,
    1e6 + 0.5, 123456789.25, 2.0**51 + 0.5, 2.0**51 + 0.75,
]  # fmt: skip
_NEAR = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 1e6, 2.0**52]
BOUNDARIES += [np.nextafter(v, d) for v in _NEAR for d in (0.0, math.inf)]


# -- accuracy -------------------------------------------------------------------


def test_random_arguments_within_one_ulp_of_correctly_rounded():
    xs = sample(np.random.default_rng(20261202), 20_000)  # 160k arguments, ~5 s
    dist, err, _, worst_x = measure(xs, cospi_array(xs))
    assert dist <= 1, worst_x
    assert err < 0.8, (err, worst_x)  # measured 0.73 ulp: a regression guard


def test_boundaries_within_one_ulp():
    xs = np.array(BOUNDARIES)
    got = cospi_array(xs)
    dist, err, _, worst_x = measure(xs, got)
    assert dist <= 1 and err < 0.8, worst_x
    scalar = np.array([cospi(x) for x in BOUNDARIES])
    assert same_bits(got, scalar)  # scalar calls and the loop agree bitwise


def test_exact_values():
    assert cospi(0.0) == 1.0 and cospi(-0.0) == 1.0
    for n in [1, 2, 3, 4, 5, 99, 100, 2**40 + 1, 2**52 - 1, 2**52, 2**52 + 1, 2**53, 2**62]:
        sign = -1.0 if n % 2 else 1.0
        assert cospi(float(n)) == sign and cospi(-float(n)) == sign, n
    assert cospi(1e300) == 1.0 and cospi(1.7976931348623157e308) == 1.0
    # cos(pi/2) is exactly 0 for cospi, and +0.0 (libm's cos(pi*0.5) is 6.1e-17)
    for n in [0, 1, 2, 3, 10, 10**6 + 1, 2**51, 2**52 - 1]:
        for x in (n + 0.5, -(n + 0.5)):
            got = cospi(x)
            assert got == 0.0 and math.copysign(1.0, got) == 1.0, x
    assert math.cos(math.pi * 0.5) == pytest.approx(6.123233995736766e-17)
    # sqrt(2)/2 correctly rounded at the quarter turns
    assert cospi(0.25) == cospi(-0.25) == 0.7071067811865476
    assert cospi(0.75) == cospi(1.25) == -0.7071067811865476


def test_inf_and_nan_give_nan():
    for x in (math.inf, -math.inf, math.nan, -math.nan):
        assert math.isnan(cospi(x))
    assert np.isnan(cospi_array(np.array([math.inf, math.nan, 1.0]))[:2]).all()


def test_even_and_bounded():
    xs = sample(np.random.default_rng(7), 20_000)
    got = cospi_array(xs)
    assert np.array_equal(got.view(np.int64), cospi_array(-xs).view(np.int64))
    assert np.abs(got).max() <= 1.0
    near_zero = cospi_array(np.linspace(-1e-3, 1e-3, 10_001))
    assert near_zero.max() == 1.0 and (near_zero <= 1.0).all()


def test_periodic_where_x_plus_2_is_exact():
    xs = np.random.default_rng(3).uniform(-1e3, 1e3, 10_000)
    xs = np.round(xs * 2.0**40) / 2.0**40  # x + 2k exact
    for k in (2.0, -4.0, 2.0**12):  # |x + k| < 2**13: 13 + 40 bits
        assert np.array_equal(cospi_array(xs), cospi_array(xs + k))


def test_integer_and_float32_arguments_are_converted_exactly():
    assert cospi(3) == -1.0 and cospi(np.int64(4)) == 1.0
    for v in [0.25, 0.1, 1.0 / 3.0, 12345.678]:
        f32 = np.float32(v)
        assert cospi(f32) == cospi(float(f32))
    assert isinstance(cospi(np.float32(0.1)), float)


def test_pure_python_source_gives_the_same_bits():
    """The Python source (what the CUDA simulator and a reader run) is IEEE arithmetic only."""
    xs = sample(np.random.default_rng(11), 500).tolist() + BOUNDARIES
    compiled = np.array([cospi(x) for x in xs])
    python = np.array([cospi.py_func(x) for x in xs])
    assert same_bits(compiled, python)


def test_against_libm_cos_of_pi_x():
    """What a user comparing with ``math.cos(math.pi * x)`` sees, for x in [0, 1].

    libm rounds ``pi*x`` first, an absolute error up to ~pi*x*2**-53 in the
    argument: the two differ by at most a few 2**-53 in absolute terms (measured
    3), which is several ulps where cos(pi*x) is small (and unbounded in ulps
    near its zero), not "1 ulp".
    """
    xs = np.random.default_rng(5).uniform(0.0, 1.0, 100_000)
    got, libm = cospi_array(xs), np.cos(np.pi * xs)
    assert np.max(np.abs(got - libm)) <= 4 * 2.0**-53
    assert np.mean(got == libm) > 0.5


@pytest.mark.skipif(not THOROUGH, reason="set LRJIT_THOROUGH=1 (minutes)")
def test_thorough_millions_of_arguments():
    rng = np.random.default_rng(int(os.environ.get("LRJIT_THOROUGH_SEED", "1")))
    n = int(os.environ.get("LRJIT_THOROUGH_N", "400000"))  # x8 scales: 3.2M arguments
    xs = sample(rng, n)
    dist, err, not_cr, worst_x = measure(xs, cospi_array(xs))
    print(
        f"\ncospi thorough: {xs.size} arguments, max {dist} ulp from correctly rounded, "
        f"max error {err:.4f} ulp at x={worst_x!r}, {not_cr} not correctly rounded "
        f"({100.0 * not_cr / xs.size:.3f}%), mpmath at {PREC} bits"
    )
    assert dist <= 1 and err < 1.0


# -- the coefficients -------------------------------------------------------------


def derive_coefficients():
    """The polynomial coefficients of lrjit.kernels.cospi, from mpmath at 256 bits.

    Weighted least squares on 120 Chebyshev nodes of z = r**2 in [0, 1/16], one
    coefficient at a time: fit all remaining coefficients, round the lowest to
    double, and refit the rest to what the rounded ones leave (so later
    coefficients absorb the rounding of earlier ones).  Weights: the error of
    the sin tail relative to sin(pi*r) is ~z*dP/pi; the cos tail's absolute
    error is z**2*dQ.  Returns (S, C, sin fit error, cos fit error).
    """
    with mp.workprec(256):
        pi = mp.pi

        def f_sin(z):  # (sin(pi r) - pi r) / r**3
            return mp.fsum(
                (-1) ** k * pi ** (2 * k + 1) * z ** (k - 1) / mp.factorial(2 * k + 1)
                for k in range(1, 40)
            )

        def f_cos(z):  # (cos(pi r) - 1 + pi**2 r**2 / 2) / r**4
            return mp.fsum(
                (-1) ** k * pi ** (2 * k) * z ** (k - 2) / mp.factorial(2 * k) for k in range(2, 40)
            )

        def fit(f, weight, ncoef, nodes=120):
            zmax = mp.mpf(1) / 16
            zs = [zmax * (1 - mp.cos(pi * (j + mp.mpf(1) / 2) / nodes)) / 2 for j in range(nodes)]
            coefs = []
            for i in range(ncoef):
                m = ncoef - i
                a, b = mp.matrix(nodes, m), mp.matrix(nodes, 1)
                for row, z in enumerate(zs):
                    w = weight(z)
                    for j in range(m):
                        a[row, j] = w * z ** (i + j)
                    b[row] = w * (f(z) - mp.fsum(c * z**j for j, c in enumerate(coefs)))
                solution, _ = mp.qr_solve(a, b)
                coefs.append(mp.mpf(float(solution[0])))
            grid = [zmax * k / 2000 for k in range(1, 2001)]
            error = max(
                abs(weight(z) * (f(z) - mp.fsum(c * z**j for j, c in enumerate(coefs))))
                for z in grid
            )
            return [float(c) for c in coefs], float(error)

        s, es = fit(f_sin, lambda z: z / pi, 7)
        c, ec = fit(f_cos, lambda z: z * z, 6)
    return s, c, es, ec


def test_split_constants():
    m = cospi_module
    with mp.workprec(256):
        assert mp.mpf(m._PI_HI) + mp.mpf(m._PI_LO) - mp.pi == pytest.approx(0, abs=1e-27)
        c1 = -(mp.pi**2) / 2
        assert mp.mpf(m._C1_HI) + mp.mpf(m._C1_LO) - c1 == pytest.approx(0, abs=1e-21)
        assert float(c1) == m._C1
    # short heads: PI_HI * (17 bits) and C1_HI * (34 bits) are exact products
    assert significant_bits(m._PI_HI) <= 36 and significant_bits(m._C1_HI) <= 19
    assert m._SPLIT == 2.0**36 + 1


@pytest.mark.skipif(not THOROUGH, reason="set LRJIT_THOROUGH=1 (~15 s of mpmath)")
def test_coefficients_rederive():
    s, c, es, ec = derive_coefficients()
    m = cospi_module
    assert s == [m._S3, m._S5, m._S7, m._S9, m._S11, m._S13, m._S15]
    assert c == [m._C4, m._C6, m._C8, m._C10, m._C12, m._C14]
    assert es < 2.0**-62 and ec < 2.0**-63


# -- compiled use -----------------------------------------------------------------


def test_from_a_users_njit_function():
    @numba.njit
    def user_schedule(t, init, end, T):
        return end + (init - end) * (1.0 + cospi(t / T)) / 2.0

    for t in [0.0, 1.0, 37.0, 99.0, 100.0]:
        want = 1e-4 + (0.1 - 1e-4) * (1.0 + cospi(t / 100.0)) / 2.0
        assert user_schedule(t, 0.1, 1e-4, 100.0) == want
    assert user_schedule(0.0, 0.1, 1e-4, 100.0) == 0.1
    assert user_schedule(50.0, 0.1, 0.0, 100.0) == 0.05  # exact: cospi(1/2) == 0
    assert user_schedule(100.0, 0.1, 1e-4, 100.0) == 1e-4


@pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"), reason="x86 assembly"
)
def test_table_loop_is_vectorized():
    @numba.njit
    def fill(out, inv_t):
        for i in range(out.size):
            out[i] = cospi(i * inv_t)

    out = np.empty(64)
    fill(out, 1.0 / 64.0)
    assert np.array_equal(out, cospi_array(np.arange(64) * (1.0 / 64.0)))
    asm = fill.inspect_asm(fill.signatures[0])
    packed = re.findall(r"\bv?(?:mul|add|sub)pd\b", asm)
    assert len(packed) >= 40, "the cospi loop was not vectorized"
    assert not re.search(r"\bcall\w*\s+\S*cos", asm)


# -- CUDA, in the simulator (child process) ------------------------------------------


@pytest.mark.skipif(IN_SIMULATOR, reason="the parent of the simulator run")
def test_cuda_simulator():
    if cuda is None:
        pytest.skip("numba.cuda is not installed")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
        "-o", "python_functions=sim_*", "-o", "addopts=-ra", os.path.abspath(__file__),
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"simulator run failed:\n{output[-8000:]}"
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) >= 1, f"no simulator test ran:\n{output[-3000:]}"


def sim_cuda_kernel_calling_cospi_matches_cpu():
    assert IN_SIMULATOR

    @cuda.jit
    def kernel(xs, out, out_py):
        i = cuda.grid(1)
        if i < xs.shape[0]:
            out[i] = cospi(xs[i])
            out_py[i] = cospi.py_func(xs[i])  # the source as the simulator runs Python

    xs = np.concatenate([np.array(BOUNDARIES), sample(np.random.default_rng(2), 8)])
    out, out_py = np.empty_like(xs), np.empty_like(xs)
    kernel[2, 64](xs, out, out_py)
    want = cospi_array(xs)
    assert same_bits(out, want) and same_bits(out_py, want)


@pytest.mark.ptx
def test_cuda_device_function_compiles_to_branch_free_ptx(monkeypatch):
    """With NVVM (extra 'ptx'): a kernel calling cospi compiles, no calls, no branch but its own."""
    ptx = table_kernel_ptx(cospi, monkeypatch)
    assert "call" not in ptx  # no libdevice cos, cospi inlined
    assert len(re.findall(r"\bbra\b", ptx)) == 1  # the bounds check only
    assert len(re.findall(r"\bselp\.", ptx)) >= 2  # the quadrant selects


def test_with_fma_contraction_as_nvvm_compiles_it():
    """NVVM contracts a*b + c into FMA by default (20 in cospi's PTX for sm_75).

    The same source compiled with only LLVM's ``contract`` flag (the same 20 FMAs
    on an FMA-capable CPU) stays within 1 ulp of the correctly rounded value and
    of the CPU's result: what to expect from a GPU.
    """
    xs = np.concatenate([sample(np.random.default_rng(99), 5_000), BOUNDARIES])
    got = contracted(cospi, xs)
    dist, err, _, worst_x = measure(xs, got)
    assert dist <= 1 and err < 0.8, worst_x
    assert np.abs(ordered(got) - ordered(cospi_array(xs))).max() <= 1
