"""asv suites: a user's own ``@numba.njit`` loop summing the lr over 10**7 steps.

Three ways to get the lr inside the loop, for ``cosine``, ``linear``,
``warmup_cosine``, ``cosine_restarts``, ``exponential`` (optax's form), ``inverse_time`` and
``tanh``:

``kernel``   the tier-1 kernel ``lrjit.kernels.<family>(t, *params)``;
``lr_at``    ``lrjit.kernels.lr_at(kinds, params, starts, t)`` over the
             schedule's public program (no recompilation when it changes);
``inlined``  the same formula written into the loop by hand, in the kernel's
             operation order, its parameters passed as arguments like the
             others (literal constants would let LLVM fold them: unfair);
             the cosine is :func:`lrjit.kernels.cospi.cospi` and tanh's
             ``1 - tanh(x)`` is ``2 / (1 + exp(2x))`` with
             :func:`lrjit.kernels.exp.exp`, as the core's.

``join`` adds ``lr_at`` over a two-piece program (linear warmup joined to a
cosine), which computes the same bits as ``warmup_cosine``.  Every loop is a
plain ``numba.njit`` function, as a user writes it (default flags, no cache);
``setup`` compiles it and checks that all ways give the same sum, bitwise.
"""

import math

import numba

from lrjit import kernels
from lrjit.kernels.cospi import cospi
from lrjit.kernels.exp import exp

from family_records import build

N = 10**7
FAMILIES = (
    "cosine", "linear", "warmup_cosine", "cosine_restarts", "exponential", "inverse_time", "tanh"
)
WAYS = ("kernel", "lr_at", "inlined")


@numba.njit
def sum_lr_at(n, kinds, params, starts):
    acc = 0.0
    for i in range(n):
        acc += kernels.lr_at(kinds, params, starts, float(i))
    return acc


@numba.njit
def sum_cosine_kernel(n, init_value, decay_steps, end_value, periodic):
    acc = 0.0
    for i in range(n):
        acc += kernels.cosine(float(i), init_value, decay_steps, end_value, periodic)
    return acc


@numba.njit
def sum_cosine_inlined(n, init_value, decay_steps, end_value, periodic):
    acc = 0.0
    for i in range(n):
        t = float(i)
        if periodic == 0 and t > decay_steps:
            t = decay_steps
        acc += end_value + (init_value - end_value) * (1.0 + cospi(t / decay_steps)) / 2.0
    return acc


@numba.njit
def sum_linear_kernel(n, init_value, end_value, transition_steps, transition_begin):
    acc = 0.0
    for i in range(n):
        acc += kernels.linear(float(i), init_value, end_value, transition_steps, transition_begin)
    return acc


@numba.njit
def sum_linear_inlined(n, init_value, end_value, transition_steps, transition_begin):
    acc = 0.0
    for i in range(n):
        u = float(i) - transition_begin
        if u <= 0.0:
            acc += init_value
        elif u >= transition_steps:
            acc += end_value
        else:
            acc += init_value + (end_value - init_value) * (u / transition_steps)
    return acc


@numba.njit
def sum_warmup_cosine_kernel(n, peak_value, warmup_steps, decay_steps, init_value, end_value):
    acc = 0.0
    for i in range(n):
        acc += kernels.warmup_cosine(
            float(i), peak_value, warmup_steps, decay_steps, init_value, end_value
        )
    return acc


@numba.njit
def sum_warmup_cosine_inlined(n, peak_value, warmup_steps, decay_steps, init_value, end_value):
    acc = 0.0
    for i in range(n):
        step = float(i)
        if step < warmup_steps:
            acc += init_value + (peak_value - init_value) * (step / warmup_steps)
        else:
            t = step - warmup_steps
            length = decay_steps - warmup_steps
            if t > length:
                t = length
            acc += end_value + (peak_value - end_value) * (1.0 + cospi(t / length)) / 2.0
    return acc


@numba.njit
def sum_exponential_kernel(n, init_value, gamma, transition_steps, transition_begin, staircase,
                           end_value):
    acc = 0.0
    for i in range(n):
        acc += kernels.exponential(float(i), init_value, gamma, transition_steps,
                                   transition_begin, staircase, end_value)
    return acc


@numba.njit
def sum_exponential_inlined(n, init_value, gamma, transition_steps, transition_begin, staircase,
                            end_value):
    acc = 0.0
    for i in range(n):
        u = float(i) - transition_begin
        if u <= 0.0:
            v = init_value
        else:
            p = u / transition_steps
            if staircase != 0.0:
                p = math.floor(p)
            v = init_value * gamma**p
        if gamma > 1.0:
            if v > end_value:
                v = end_value
        elif v < end_value:
            v = end_value
        acc += v
    return acc


@numba.njit
def sum_inverse_time_kernel(n, init_value, decay_steps, decay_rate, staircase):
    acc = 0.0
    for i in range(n):
        acc += kernels.inverse_time(float(i), init_value, decay_steps, decay_rate, staircase)
    return acc


@numba.njit
def sum_inverse_time_inlined(n, init_value, decay_steps, decay_rate, staircase):
    acc = 0.0
    for i in range(n):
        p = float(i) / decay_steps
        if staircase != 0.0:
            p = math.floor(p)
        acc += init_value / (1.0 + decay_rate * p)
    return acc


@numba.njit
def sum_tanh_kernel(n, init_value, decay_steps, end_value, lower, upper):
    acc = 0.0
    for i in range(n):
        acc += kernels.tanh(float(i), init_value, decay_steps, end_value, lower, upper)
    return acc


@numba.njit
def sum_tanh_inlined(n, init_value, decay_steps, end_value, lower, upper):
    acc = 0.0
    for i in range(n):
        t = float(i)
        if t >= decay_steps:
            acc += end_value
        else:
            r = t / decay_steps
            acc += end_value + (init_value - end_value) / (
                1.0 + exp(2.0 * (lower * (1.0 - r) + upper * r)))
    return acc


@numba.njit
def sum_cosine_restarts_kernel(n, init_value, decay_steps, end_value, period_mult):
    acc = 0.0
    for i in range(n):
        acc += kernels.cosine_restarts(float(i), init_value, decay_steps, end_value, period_mult)
    return acc


@numba.njit
def sum_cosine_restarts_inlined(n, init_value, decay_steps, end_value, period_mult):
    # SGDR with a whole or real multiplier (> 1 here): the cycle from its log estimate,
    # corrected against the starts T0 * (a + (a - 1) / (m - 1)), a = m ** (i - 1)
    acc = 0.0
    lm = math.log(period_mult)
    for k in range(n):
        step = float(k)
        c = max(math.floor(math.log1p(step / decay_steps * (period_mult - 1.0)) / lm), 0.0)
        while c > 0.0:
            a = period_mult ** (c - 1.0)
            if step >= (a + (a - 1.0) / (period_mult - 1.0)) * decay_steps:
                break
            c -= 1.0
        while True:
            a = period_mult**c
            if step < (a + (a - 1.0) / (period_mult - 1.0)) * decay_steps:
                break
            c += 1.0
        start = 0.0
        period = decay_steps
        if c > 0.0:
            a = period_mult ** (c - 1.0)
            start = (a + (a - 1.0) / (period_mult - 1.0)) * decay_steps
            period = decay_steps * (a * period_mult)
        t = step - start
        acc += end_value + (init_value - end_value) * (1.0 + cospi(t / period)) / 2.0
    return acc


LOOPS = {
    (family, way): loop
    for family in FAMILIES
    for way, loop in (
        ("kernel", globals()[f"sum_{family}_kernel"]),
        ("inlined", globals()[f"sum_{family}_inlined"]),
        ("lr_at", sum_lr_at),
    )
}


def loop_args(family, way, n=N):
    """``(loop, args)``: ``loop(*args)`` sums ``family``'s lr over ``n`` steps the ``way`` way.

    ``way`` is one of :data:`WAYS` or ``"lr_at_join"`` (``warmup_cosine`` only).
    The kernel parameters are the schedule's own ``params`` row, so all ways
    see the same float64 values.
    """
    if way == "lr_at_join":
        if family != "warmup_cosine":
            raise ValueError(f"lr_at_join computes warmup_cosine only, got family={family!r}")
        return sum_lr_at, (n, *build("join", n).program)
    schedule = build(family, n)
    if way == "lr_at":
        return sum_lr_at, (n, *schedule.program)
    nparams = LOOPS[family, way].py_func.__code__.co_argcount - 1
    return LOOPS[family, way], (n, *(float(p) for p in schedule.params[0, :nparams]))


def check_same_sum(family, ways, n=1000):
    """Compile every loop of ``family``; check they sum the same bits (horizon ``n``, ``2n`` steps)."""
    sums = {}
    for way in ways:
        loop, args = loop_args(family, way, n)
        sums[way] = loop(2 * n, *args[1:])
    if len(set(sums.values())) != 1:
        raise AssertionError(
            f"{family}: the loops disagree, so the comparison is unfair: {sums}; "
            "update the hand-inlined formula to the kernel's operation order"
        )


class TimeSumLoop:
    """The lr summed over 10**7 steps in a user's njit loop: kernel, ``lr_at``, hand-inlined."""

    params = (FAMILIES, WAYS)
    param_names = ["family", "way"]
    timeout = 300

    def setup(self, family, way):
        check_same_sum(family, WAYS)
        self.loop, self.args = loop_args(family, way)

    def time_sum(self, family, way):
        self.loop(*self.args)


class TimeSumJoin:
    """``lr_at`` over a two-piece ``join`` program, beside the inlined ``warmup_cosine``."""

    params = (["lr_at_join", "inlined"],)
    param_names = ["way"]
    timeout = 300

    def setup(self, way):
        check_same_sum("warmup_cosine", ["lr_at_join", "inlined"])
        self.loop, self.args = loop_args("warmup_cosine", way)

    def time_sum(self, way):
        self.loop(*self.args)


# -- combinators: a product or a warmed schedule against its pieces by hand


@numba.njit
def sum_product_by_hand(n, ak, ap, as_, bk, bp, bs):
    acc = 0.0
    for i in range(n):
        t = float(i)
        acc += kernels.lr_at(ak, ap, as_, t) * kernels.lr_at(bk, bp, bs, t)
    return acc


@numba.njit
def sum_overlay_by_hand(n, warmup_steps, init_value, inc, kinds, params, starts):
    acc = 0.0
    for i in range(n):
        t = float(i)
        if t < warmup_steps:
            acc += init_value + t * inc
        else:
            acc += kernels.lr_at(kinds, params, starts, t)
    return acc


def combinator_loops(n=N):
    """``{name: (composite (loop, args), by hand (loop, args))}``: the same sum two ways."""
    import lrjit

    cos = lrjit.cosine(1.0, decay_steps=n, end_value=0.01)
    ramp = lrjit.linear(0.0, 1.0, transition_steps=n // 20)
    w = n // 20
    warmed = lrjit.warmup_then(cos, w, prefix=False)
    return {
        "multiply(cosine, linear)": (
            (sum_lr_at, (n, *lrjit.multiply(cos, ramp).program)),
            (sum_product_by_hand, (n, *cos.program, *ramp.program)),
        ),
        "warmup_then(cosine, prefix=False)": (
            (sum_lr_at, (n, *warmed.program)),
            (sum_overlay_by_hand, (n, float(w), 0.0, (cos(0) - 0.0) / w, *cos.program)),
        ),
    }
