"""An lr_schedule object as a stable-baselines3 ``learning_rate``, tested with SB3 itself.

Tiny CPU runs on CartPole-v1: a callback records the optimizer's lr at the
start of every rollout (set by the previous ``train()``) and at the end, and
the test compares it with the seed's formula at SB3's own progress.
"""

import math

import pytest

sb3 = pytest.importorskip("stable_baselines3")
gym = pytest.importorskip("gymnasium")

from stable_baselines3.common.callbacks import BaseCallback  # noqa: E402
from stable_baselines3.common.logger import KVWriter, Logger  # noqa: E402

from lrjit.lr_schedule import BaseLRSchedule  # noqa: E402

TOTAL = 100  # not a multiple of n_steps: SB3's last progress is below 0


class RecordLR(BaseCallback):
    """``(progress_remaining, num_timesteps, optimizer lr)`` after every ``train()``."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def _record(self):
        model = self.model
        lrs = {group["lr"] for group in model.policy.optimizer.param_groups}
        assert len(lrs) == 1
        self.seen.append((model._current_progress_remaining, model.num_timesteps, lrs.pop()))

    def _on_rollout_start(self):
        self._record()

    def _on_training_end(self):
        self._record()

    def _on_step(self):
        return True


def cosine(p):
    p = min(max(p, 0.0), 1.0)
    return 1e-4 + 0.5 * (1e-3 - 1e-4) * (1.0 + math.cos(math.pi * (1.0 - p)))


def cosine_warmup(p):
    q, w = 1.0 - min(max(p, 0.0), 1.0), 0.25
    if q < w:
        return 7e-4 * (q / w)
    return 0.5 * 7e-4 * (1.0 + math.cos(math.pi * ((q - w) / (1.0 - w))))


CASES = {
    "ppo-cosine": (
        "PPO", dict(n_steps=32, batch_size=32, n_epochs=1),
        {"type": "cosine", "initial_value": 1e-3, "final_value": 1e-4},
        lambda p, steps: cosine(p),
    ),
    "ppo-step_decay": (
        "PPO", dict(n_steps=32, batch_size=32, n_epochs=1),
        {"type": "step_decay", "initial_value": 1e-3, "step_size": 32, "gamma": 0.5,
         "total_steps": TOTAL},
        lambda p, steps: 1e-3 * 0.5 ** (min(steps, TOTAL) // 32),  # jumps on rollout ends
    ),
    "a2c-cosine_warmup": (
        "A2C", dict(n_steps=8),
        {"type": "cosine_warmup", "initial_value": 7e-4, "warmup_fraction": 0.25},
        lambda p, steps: cosine_warmup(p),
    ),
}


def make(algo, kwargs, lr, **extra):
    cls = getattr(sb3, algo)
    return cls("MlpPolicy", "CartPole-v1", learning_rate=lr, seed=0, device="cpu",
               policy_kwargs=dict(net_arch=[8]), **kwargs, **extra)


@pytest.mark.parametrize("case", sorted(CASES))
def test_optimizer_lr_follows_the_schedule(case):
    algo, kwargs, cfg, oracle = CASES[case]
    lr = BaseLRSchedule.create(cfg)
    model = make(algo, kwargs, lr)
    recorder = RecordLR()
    model.learn(TOTAL, callback=recorder)
    seen = recorder.seen
    n_steps = kwargs["n_steps"]
    rollouts = -(-TOTAL // n_steps)
    assert len(seen) == rollouts + 1
    assert [steps for _, steps, _ in seen] == [k * n_steps for k in range(rollouts)] + [
        rollouts * n_steps]
    assert seen[0][0] == 1.0 and seen[-1][0] < 0.0  # SB3 passes progress below 0
    for p, steps, got in seen:
        assert p == 1.0 - steps / TOTAL
        assert got == lr(p)  # SB3 set exactly our value
        want = oracle(p, steps)
        assert abs(got - want) <= 1e-15 * max(want, 1e-3), (p, steps, got, want)
    assert len({got for _, _, got in seen}) > 2  # the lr did move


def test_save_load_keeps_the_schedule(tmp_path):
    cfg = {"type": "warmup_cosine", "initial_value": 1e-5, "peak_value": 1e-3,
           "warmup_steps": 64, "decay_steps": 192, "total_steps": 192}
    lr = BaseLRSchedule.create(cfg)
    model = make("PPO", dict(n_steps=32, batch_size=32, n_epochs=1), lr)
    model.learn(96)
    model.save(tmp_path / "model.zip")

    loaded = sb3.PPO.load(tmp_path / "model.zip", env=gym.make("CartPole-v1"), device="cpu")
    assert loaded.learning_rate == lr and type(loaded.learning_rate) is type(lr)
    assert loaded.lr_schedule(0.3) == lr(0.3)
    recorder = RecordLR()
    loaded.learn(96, callback=recorder, reset_num_timesteps=False)  # steps 96 .. 192
    # First: the optimizer lr restored from the zip, set at the end of the first
    # learn(96), whose progress ran 1 -> 0 over its own 96 steps.
    assert recorder.seen[0] == (0.0, 96, lr(0.0))
    for p, steps, got in recorder.seen[1:]:  # this call: progress over 192 steps
        assert p == 1.0 - steps / 192
        assert got == lr(p) == lr.schedule(min(steps, 192))
    assert recorder.seen[-1][1:] == (192, 0.0)  # warmup_cosine's end_value, at step 192


# -- a Schedule given to SB3: the trap and the fix, read back from SB3's logger


class Collect(KVWriter):
    """An SB3 logger output that keeps every dumped ``{key: value}``."""

    def __init__(self):
        self.rows = []

    def write(self, key_values, key_excluded, step=0):
        self.rows.append(dict(key_values))

    def close(self):
        pass


def warmup_cosine_at(k, peak=3e-4, warmup=40, total=100):
    k = min(k, total)
    if k < warmup:
        return peak * k / warmup
    return peak * 0.5 * (1.0 + math.cos(math.pi * (k - warmup) / (total - warmup)))


def logged_lrs(lr, total=TOTAL):
    model = make("PPO", dict(n_steps=32, batch_size=32, n_epochs=1), lr)
    out = Collect()
    model.set_logger(Logger(folder=None, output_formats=[out]))
    model.learn(total, log_interval=1)
    # PPO dumps its logs after each rollout, before train(): a row holds the
    # previous train()'s lr, used at the previous rollout's end (32 steps
    # earlier); the last train()'s values are still pending in the logger
    seen = [(r["time/total_timesteps"] - 32, r["train/learning_rate"])
            for r in out.rows if "train/learning_rate" in r]
    seen.append((model.num_timesteps, model.logger.name_to_value["train/learning_rate"]))
    return model, seen


@pytest.mark.slow
def test_schedule_progress_in_ppo_reads_back_from_the_logger(tmp_path):
    import lrjit

    schedule = lrjit.warmup_cosine(3e-4, warmup_steps=40, decay_steps=TOTAL)
    model, seen = logged_lrs(schedule.progress(TOTAL))
    assert [steps for steps, _ in seen] == [32, 64, 96, 128]  # the last one past the end
    for steps, got in seen:
        want = warmup_cosine_at(steps)  # 128: clamped onto the end, not extrapolated
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-18), (steps, got, want)
    assert seen[-1][1] == 0.0

    # the same through BaseLRSchedule.create, and after SB3's save/load
    assert BaseLRSchedule.create(schedule, total_steps=TOTAL) == schedule.progress(TOTAL)
    model.save(tmp_path / "ppo.zip")
    loaded = sb3.PPO.load(tmp_path / "ppo.zip", device="cpu")
    for p in (1.0, 0.7, 0.25, 0.0, -0.28):
        assert loaded.lr_schedule(p) == model.lr_schedule(p)


@pytest.mark.slow
def test_the_trap_a_bare_schedule_reads_progress_as_a_step():
    import lrjit

    schedule = lrjit.warmup_cosine(3e-4, warmup_steps=40, decay_steps=TOTAL)
    _, seen = logged_lrs(schedule, total=96)  # what the README warns against
    # progress 1 -> 0 read as steps 1 -> 0: a warmup-length fraction of the intended rate
    assert all(got <= 3e-4 / 40 for _, got in seen)
    assert max(got for _, got in seen) < 0.05 * max(warmup_cosine_at(s) for s, _ in seen)
    # and where total_timesteps is no multiple of the rollout, SB3's last progress is < 0
    with pytest.raises(ValueError, match="step must be finite, >= 0"):
        schedule(1.0 - 128 / TOTAL)


def test_create_needs_total_steps_for_a_schedule():
    import lrjit

    with pytest.raises(ValueError, match="total_steps"):
        BaseLRSchedule.create(lrjit.cosine(1e-3, decay_steps=10))
    with pytest.raises(ValueError, match="total_steps=100"):
        lrjit.one_cycle(0.1, total_steps=100).progress(50)
    with pytest.raises(ValueError, match="total_steps"):
        lrjit.cosine(1e-3, decay_steps=10).progress(0)
