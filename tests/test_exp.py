"""lrjit.kernels.exp: accuracy against mpmath, limits, vectorization, CUDA.

The oracle is ``mpmath.exp`` at 200 bits of the exact binary value of each
argument, rounded to double here (to nearest, ties to even; subnormal and
overflowing results rounded by hand, since mpmath's ``float()`` rounds a
subnormal twice).  Two measures per argument: the distance in ulps between
``exp(x)`` and the correctly rounded value (the claim: at most 1, subnormal
results included), and, where the result is normal, the error against the
exact value in ulps of its binade (a fraction; below 1 implies the claim).

``LRJIT_THOROUGH=1`` adds millions of random arguments and re-derives the
polynomial coefficients with mpmath (slow: minutes).

On CUDA: a kernel calling ``exp`` compiles to branch-free PTX (with NVVM, the
``ptx`` extra), the source compiled with FMA contraction (as NVVM does) stays
within 1 ulp, and ``tests/test_cuda_sim.py`` runs it in the simulator.
"""

import math
import os
import platform
import re

import numba
import numpy as np
import pytest
from floats import compiled_table, contracted, ordered, same_bits, significant_bits, ulp_errors
from ptx import table_kernel_ptx

from lrjit.kernels import exp as exp_module
from lrjit.kernels.exp import exp

mp = pytest.importorskip("mpmath")

try:
    from numba import cuda
except ImportError:
    cuda = None

IN_SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
THOROUGH = os.environ.get("LRJIT_THOROUGH") == "1"
PREC = 200
LN2 = math.log(2.0)
X_MAX = 709.782712893384  # the largest x whose e**x rounds below 2**1024
X_MIN = -745.1332191019411  # the least x whose e**x rounds up to 2**-1074
X_SUBNORMAL = -708.3964185322641  # e**x < 2**-1022 below about here


exp_array = compiled_table(exp)


def measure(xs, got):
    """:func:`floats.ulp_errors` of ``exp`` at :data:`PREC` bits."""
    return ulp_errors(xs, got, mp.exp, PREC)


def sample(rng, n):
    """``n`` random arguments at each of several scales."""
    k = rng.integers(-1075, 1024, n)
    pieces = [
        rng.uniform(-1.0, 1.0, n),
        rng.uniform(-30.0, 30.0, n),  # tanh's 2x: -14 .. 6 at timm's defaults
        rng.uniform(-746.0, 710.0, n),  # the whole range
        rng.uniform(-745.2, -708.3, n),  # subnormal results
        rng.uniform(700.0, 709.79, n),  # near overflow
        (k + 0.5) * LN2 + rng.uniform(-1e-9, 1e-9, n),  # where rint(x / ln 2) turns
        rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-320, 2.85, n),  # every binade
        -14.0 + 20.0 * (np.arange(n) / rng.integers(3, 10**6, n)),  # table arguments
    ]
    return np.concatenate(pieces)


BOUNDARIES = [
    0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, -1e-300, 1e-20, 2.0**-30,
    2.0**-53, -(2.0**-53), 2.0**-54, 1e-8, 0.5, 1.0, -1.0, 2.0, 10.0, -10.0, 100.0, -100.0,
    LN2, -LN2, LN2 / 2, -LN2 / 2, 3 * LN2 / 2, 1023.5 * LN2, -1075.5 * LN2,
    X_MAX, 709.78, 709.79, 710.0, 800.0, 1e300, 1.7976931348623157e308,
    X_MIN, -745.13, -745.14, -745.0, -746.0, -800.0, -1e300, -1.7976931348623157e308,
    X_SUBNORMAL, -708.0, -709.0, -720.0, -740.0, -744.0,
    -1022 * LN2, -1074 * LN2, 1023 * LN2, 1024 * LN2, -1076 * LN2,
]  # fmt: skip
_NEAR = [0.0, LN2 / 2, 1.0, X_MAX, X_MIN, X_SUBNORMAL, 1024 * LN2, -1075 * LN2]
BOUNDARIES += [np.nextafter(v, d) for v in _NEAR for d in (-math.inf, math.inf)]


# -- accuracy -------------------------------------------------------------------


def test_random_arguments_within_one_ulp_of_correctly_rounded():
    xs = sample(np.random.default_rng(20261203), 10_000)  # 80k arguments, ~3 s
    dist, err, not_cr, worst_x = measure(xs, exp_array(xs))
    assert dist <= 1, worst_x
    assert err < 0.65, (err, worst_x)  # measured 0.59 (0.62 on 4M): a regression guard
    assert not_cr < 0.02 * xs.size


def test_boundaries_within_one_ulp():
    xs = np.array(BOUNDARIES)
    got = exp_array(xs)
    dist, err, _, worst_x = measure(xs, got)
    assert dist <= 1 and err < 0.65, worst_x
    scalar = np.array([exp(x) for x in BOUNDARIES])
    assert same_bits(got, scalar)  # scalar calls and the loop agree bitwise


def test_limits_and_special_values():
    assert exp(0.0) == 1.0 and exp(-0.0) == 1.0
    assert exp(5e-324) == 1.0 and exp(-5e-324) == 1.0
    assert exp(2.0**-53) == 1.0 and exp(2.0**-52) == 1.0 + 2.0**-52
    assert exp(-(2.0**-53)) == 1.0 - 2.0**-53  # rounds down to the double below 1
    assert exp(1.0) == math.e
    assert exp(math.inf) == math.inf and exp(-math.inf) == 0.0
    for x in (math.nan, -math.nan):
        assert math.isnan(exp(x))
    # overflow exactly where the correctly rounded result leaves the doubles
    assert exp(X_MAX) == 1.7976931348622732e308
    assert exp(np.nextafter(X_MAX, math.inf)) == math.inf
    assert exp(710.0) == exp(1e300) == exp(1.7976931348623157e308) == math.inf
    # gradual underflow down to the smallest subnormal, then +0.0
    assert exp(X_MIN) == 5e-324 and exp(np.nextafter(X_MIN, -math.inf)) == 0.0
    assert exp(-746.0) == exp(-1e300) == exp(-1.7976931348623157e308) == 0.0
    assert math.copysign(1.0, exp(-1e300)) == 1.0
    assert 0.0 < exp(-720.0) < 2.2250738585072014e-308
    got = exp_array(np.array([math.inf, -math.inf, math.nan, 0.0]))
    assert got[0] == math.inf and got[1] == 0.0 and math.isnan(got[2]) and got[3] == 1.0


def test_positive_and_against_libm():
    """Never negative; where libm's exp is correctly rounded (glibc: nearly always), the two
    differ by at most 1 ulp (the same ~1% of arguments where exp is not)."""
    xs = sample(np.random.default_rng(7), 10_000)
    got = exp_array(xs)
    assert (got >= 0.0).all()
    libm = np.array([math.exp(x) if x <= X_MAX else math.inf for x in xs.tolist()])
    diff = np.abs(ordered(got) - ordered(libm))
    assert diff.max() <= 1 and np.mean(diff == 0) > 0.97


def test_integer_and_float32_arguments_are_converted_exactly():
    assert exp(0) == 1.0 and exp(np.int64(1)) == math.e
    for v in [0.25, 0.1, -3.7, 88.5]:
        f32 = np.float32(v)
        assert exp(f32) == exp(float(f32))
    assert isinstance(exp(np.float32(0.1)), float)


def test_pure_python_source_gives_the_same_bits():
    """The Python source (what the CUDA simulator and a reader run) is IEEE arithmetic only."""
    xs = sample(np.random.default_rng(11), 500).tolist() + BOUNDARIES + [math.inf, -math.inf]
    compiled = np.array([exp(x) for x in xs])
    python = np.array([exp.py_func(x) for x in xs])
    assert same_bits(compiled, python)
    assert math.isnan(exp.py_func(math.nan))


@pytest.mark.skipif(not THOROUGH, reason="set LRJIT_THOROUGH=1 (minutes)")
def test_thorough_millions_of_arguments():
    rng = np.random.default_rng(int(os.environ.get("LRJIT_THOROUGH_SEED", "1")))
    n = int(os.environ.get("LRJIT_THOROUGH_N", "250000"))  # x8 scales: 2M arguments
    xs = sample(rng, n)
    dist, err, not_cr, worst_x = measure(xs, exp_array(xs))
    print(
        f"\nexp thorough: {xs.size} arguments, max {dist} ulp from correctly rounded, "
        f"max error {err:.4f} ulp (normal results) at x={worst_x!r}, {not_cr} not correctly "
        f"rounded ({100.0 * not_cr / xs.size:.3f}%), mpmath at {PREC} bits"
    )
    assert dist <= 1 and err < 1.0


# -- the constants ------------------------------------------------------------------


def derive_coefficients():
    """The polynomial coefficients of lrjit.kernels.exp, from mpmath at 256 bits.

    ``Q(r) ~ (e**r - 1 - r - r**2/2) / r**3`` on ``|r| <= 0.3466`` (``ln(2)/2`` and a
    margin for ``rint(x / ln 2)``'s rounding): weighted least squares on 160
    Chebyshev nodes, one coefficient at a time: fit all remaining coefficients,
    round the lowest to double, and refit the rest to what the rounded ones leave.
    The weight ``|r|**3 / e**r`` makes the error relative to ``e**r``.  Returns
    (coefficients, fit error).
    """
    with mp.workprec(256):
        bound = mp.mpf("0.3466")

        def f(r):
            return mp.fsum(r ** (k - 3) / mp.factorial(k) for k in range(3, 60))

        def weight(r):
            return abs(r) ** 3 / mp.exp(r)

        nodes = 160
        rs = [bound * mp.cos(mp.pi * (j + mp.mpf(1) / 2) / nodes) for j in range(nodes)]
        ncoef, coefs = 10, []
        for i in range(ncoef):
            m = ncoef - i
            a, b = mp.matrix(nodes, m), mp.matrix(nodes, 1)
            for row, r in enumerate(rs):
                w = weight(r)
                for j in range(m):
                    a[row, j] = w * r ** (i + j)
                b[row] = w * (f(r) - mp.fsum(c * r**j for j, c in enumerate(coefs)))
            solution, _ = mp.qr_solve(a, b)
            coefs.append(mp.mpf(float(solution[0])))
        grid = [bound * (mp.mpf(k) / 2000 - 1) for k in range(4001) if k != 2000]
        error = max(
            abs(weight(r) * (f(r) - mp.fsum(c * r**j for j, c in enumerate(coefs)))) for r in grid
        )
    return [float(c) for c in coefs], float(error)


@pytest.mark.skipif(not THOROUGH, reason="set LRJIT_THOROUGH=1 (~20 s of mpmath)")
def test_coefficients_rederive():
    coefs, error = derive_coefficients()
    m = exp_module
    assert coefs == [m._Q0, m._Q1, m._Q2, m._Q3, m._Q4, m._Q5, m._Q6, m._Q7, m._Q8, m._Q9]
    assert error < 2.0**-63


def test_reduction_constants():
    m = exp_module
    with mp.workprec(256):
        ln2 = mp.log(2)
        assert abs(mp.mpf(m._L1) + mp.mpf(m._L2) - ln2) < mp.ldexp(1, -100)
        assert float(1 / ln2) == m._INV_LN2
        # the clamps round to 0 and inf
        assert mp.exp(m._LO) < mp.ldexp(1, -1075)
        assert mp.exp(m._HI) > mp.ldexp(1, 1024)
    # k*_L1 exact for |k| <= 2**11 (11 + 41 bits); k's range at the clamps
    assert significant_bits(m._L1) <= 42
    ks = [(v * m._INV_LN2 + m._RINT) - m._RINT for v in (m._LO, m._HI)]
    assert ks == [-1076.0, 1024.0]
    assert m._RINT == 1.5 * 2.0**52 and m._TWO_M17 == 2.0**-17


def test_every_scale():
    """Step 4's ``2**k = a * b`` at every ``k`` the clamps allow: ``x`` near ``k ln 2`` and
    halfway to the next (the extremes of ``r``), subnormal and overflowing results included."""
    ks = np.arange(-1076, 1025, dtype=np.float64)
    xs = np.concatenate([ks * LN2, (ks + 0.49) * LN2, (ks - 0.49) * LN2])
    got = exp_array(xs)
    dist, err, _, worst_x = measure(xs, got)
    assert dist <= 1 and err < 0.65, worst_x
    assert same_bits(got, [exp.py_func(x) for x in xs.tolist()])


# -- compiled use -----------------------------------------------------------------


def test_from_a_users_njit_function():
    @numba.njit
    def logistic(t, T, width):
        return 1.0 / (1.0 + exp(width * (t / T - 0.5)))

    assert logistic(50.0, 100.0, 10.0) == 0.5
    assert logistic(0.0, 100.0, 10.0) == 1.0 / (1.0 + exp(-5.0))
    assert logistic(100.0, 100.0, 1e6) == 0.0  # exp overflows to inf: 1 / inf
    assert logistic(0.0, 100.0, 1e6) == 1.0  # exp underflows to 0


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86 assembly")
def test_table_loop_is_vectorized():
    @numba.njit
    def fill(out, a, b):
        for i in range(out.size):
            out[i] = exp(a + b * i)

    out = np.empty(64)
    fill(out, -14.0, 20.0 / 64.0)
    assert same_bits(out, exp_array(-14.0 + (20.0 / 64.0) * np.arange(64)))
    asm = fill.inspect_asm(fill.signatures[0])
    packed = re.findall(r"\bv?(?:mul|add|sub)pd\b", asm)
    assert len(packed) >= 30, "the exp loop was not vectorized"
    assert not re.search(r"\bcall\w*\s+\S*exp", asm)


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86 assembly")
def test_tanh_table_loop_is_vectorized():
    """The tanh kernel (exp's user) inlines into a plain loop, as the table drivers run it,
    and the loop vectorizes: the kernel must stay one block (a select, no early return)."""
    from lrjit.families.tanh import tanh_kernel

    @numba.njit
    def fill(out, T):
        for i in range(out.size):
            out[i] = tanh_kernel(float(i), 0.1, T, 0.001, -7.0, 3.0)

    out = np.empty(64)
    fill(out, 50.0)
    assert same_bits(out, [tanh_kernel(float(i), 0.1, 50.0, 0.001, -7.0, 3.0) for i in range(64)])
    asm = fill.inspect_asm(fill.signatures[0])
    assert len(re.findall(r"\bv?(?:mul|add|sub|div)pd\b", asm)) >= 30, "not vectorized"
    assert not re.search(r"\bcall\w*\s+\S*(?:exp|tanh)", asm)


# -- CUDA (the simulator runs exp in tests/test_cuda_sim.py) ----------------------------


@pytest.mark.ptx
def test_cuda_device_function_compiles_to_branch_free_ptx(monkeypatch):
    """With NVVM (extra 'ptx'): a kernel calling exp compiles, no calls, no branch but its own."""
    ptx = table_kernel_ptx(exp, monkeypatch)
    assert "call" not in ptx  # no libdevice exp, exp inlined
    assert len(re.findall(r"\bbra\b", ptx)) == 1  # the bounds check only
    assert re.search(r"\bcvt\.rzi\.s64\.f64\b", ptx)  # k1 to an integer
    assert len(re.findall(r"\bshl\.b64\b", ptx)) >= 2  # the two powers of two


def test_with_fma_contraction_as_nvvm_compiles_it():
    """NVVM contracts a*b + c into FMA by default.

    The same source compiled with only LLVM's ``contract`` flag (FMAs on an
    FMA-capable CPU) stays within 1 ulp of the correctly rounded value and of
    the CPU's result: what to expect from a GPU.
    """
    xs = np.concatenate([sample(np.random.default_rng(99), 3_000), BOUNDARIES])
    got = contracted(exp, xs)
    dist, err, _, worst_x = measure(xs, got)
    assert dist <= 1 and err < 0.65, worst_x
    assert np.abs(ordered(got) - ordered(exp_array(xs))).max() <= 1
