"""Schedule.to_optax: lrjit schedules as optax schedules, against optax's own families.

Under ``jax_enable_x64`` the lookup gives lrjit's float64 table bitwise; optax's own
schedules (computed by XLA) agree with it to 1e-12 relative where the families
coincide.  Traced by ``jax.jit`` and ``jax.vmap`` and used inside ``optax.adam``.
"""

import pickle

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
jnp = jax.numpy

import lrjit  # noqa: E402

N = 300


@pytest.fixture
def x64():
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", old)


PAIRS = [
    (lambda: lrjit.warmup_cosine(1e-3, warmup_steps=20, decay_steps=200, init_value=1e-5,
                                 end_value=1e-4),
     lambda: optax.warmup_cosine_decay_schedule(1e-5, 1e-3, 20, 200, end_value=1e-4)),
    (lambda: lrjit.cosine(0.1, decay_steps=150),
     lambda: optax.cosine_decay_schedule(0.1, 150)),
    (lambda: lrjit.linear(0.0, 0.5, transition_steps=100, transition_begin=30),
     lambda: optax.linear_schedule(0.0, 0.5, 100, transition_begin=30)),
    (lambda: lrjit.polynomial(0.1, 0.001, 2.0, 120),
     lambda: optax.polynomial_schedule(0.1, 0.001, 2.0, 120)),
    (lambda: lrjit.exponential(0.1, gamma=0.99),
     lambda: optax.exponential_decay(0.1, transition_steps=1, decay_rate=0.99)),
    (lambda: lrjit.join([lrjit.linear(0.0, 1.0, transition_steps=10), lrjit.constant(0.3)],
                        boundaries=[50]),
     lambda: optax.join_schedules([optax.linear_schedule(0.0, 1.0, 10),
                                   optax.constant_schedule(0.3)], [50])),
]


@pytest.mark.parametrize("i", range(len(PAIRS)))
def test_the_same_numbers_as_optax_under_jit_and_vmap(x64, i):
    mine, theirs = PAIRS[i]
    s = mine()
    lr = s.to_optax(N)
    counts = jnp.arange(N + 20)  # past the end: the last value is held
    got = np.asarray(jax.jit(jax.vmap(lr))(counts))
    want_lrjit = s.table(N)[np.minimum(np.arange(N + 20), N - 1)]
    assert got.dtype == np.float64
    assert got.tobytes() == want_lrjit.tobytes()  # lrjit's bits, through jit and vmap
    want_optax = np.asarray(jax.vmap(theirs())(jnp.arange(N)))
    np.testing.assert_allclose(got[:N], want_optax, rtol=1e-12, atol=1e-18)
    # scalar counts, traced and not
    for c in (0, 1, 17, N - 1, N, 10 * N):
        assert float(jax.jit(lr)(c)) == float(lr(c)) == s(min(c, N - 1))


def test_inside_adam_the_update_uses_the_tables_lrs(x64):
    s = lrjit.warmup_cosine(0.05, warmup_steps=5, decay_steps=40)
    lr = s.to_optax(40)
    params = {"w": jnp.array([1.0, -2.0, 3.0])}

    def loss(p):  # far from its minimum for 30 steps: Adam's sign-like steps do not flip
        return jnp.sum((p["w"] - jnp.array([10.0, -10.0, 10.0])) ** 2)

    def train(opt, steps=30):
        state = opt.init(params)
        p = params

        @jax.jit
        def step(p, state):
            updates, state = opt.update(jax.grad(loss)(p), state, p)
            return optax.apply_updates(p, updates), state

        seen = []
        for _ in range(steps):
            p, state = step(p, state)
            hyper = getattr(state, "hyperparams", None)
            if hyper is not None:
                seen.append(float(hyper["learning_rate"]))
        return p, seen

    mine, _ = train(optax.adam(learning_rate=lr))
    theirs, _ = train(optax.adam(learning_rate=optax.warmup_cosine_decay_schedule(
        0.0, 0.05, 5, 40)))
    # optax's own schedule, called with optax's int32 count, computes in float32 even under
    # x64 (0.01 -> 0.009999999776): the runs agree to float32's precision, not further
    assert optax.warmup_cosine_decay_schedule(0.0, 0.05, 5, 40)(jnp.int32(1)).dtype \
        == jnp.float32
    assert lr(jnp.int32(1)).dtype == jnp.float64 and float(lr(jnp.int32(1))) == s(1)
    np.testing.assert_allclose(mine["w"], theirs["w"], rtol=1e-7)
    assert float(loss(mine)) < float(loss(params))
    # inject_hyperparams records the lr each update used (update k: count k): the table's
    _, seen = train(optax.inject_hyperparams(optax.adam)(learning_rate=lr))
    assert seen == s.table(40)[:30].tolist()


def test_float32_by_default():
    if jax.config.jax_enable_x64:
        pytest.skip("x64 left on by another test module")
    s = lrjit.cosine(0.1, decay_steps=100)
    lr = s.to_optax(100)
    assert lr.dtype == jnp.float32
    got = np.asarray(jax.vmap(lr)(jnp.arange(100)))
    assert got.dtype == np.float32
    assert got.tolist() == s.table(100, dtype=np.float32).tolist()  # rounded once from float64


def test_explicit_dtype_checks_and_pickles(x64):
    s = lrjit.linear(0.0, 1.0, transition_steps=10)
    lr = s.to_optax(16, dtype=jnp.float32)
    assert lr.values.dtype == jnp.float32
    back = pickle.loads(pickle.dumps(lr))
    assert back.num_steps == 16 and back.dtype == jnp.float32 and back.schedule == s
    assert "num_steps=16" in repr(lr)
    with pytest.raises(ValueError, match="num_steps"):
        s.to_optax(0)
    with pytest.raises(TypeError, match="num_steps"):
        s.to_optax(2.5)
    with pytest.raises(TypeError, match="floating dtype"):
        s.to_optax(4, dtype=jnp.int32)
    from lrjit.optax_schedule import OptaxSchedule

    with pytest.raises(TypeError, match="lrjit Schedule"):
        OptaxSchedule(lambda t: 0.1, 4)


def test_import_lrjit_does_not_import_jax():
    import subprocess
    import sys

    code = "import sys, lrjit; lrjit.cosine(1.0, decay_steps=2); assert 'jax' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
