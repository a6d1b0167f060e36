"""Draw the README's gallery: one figure per family and a few compositions.

    python docs/gallery.py            # writes docs/gallery/*.png (needs matplotlib)

Deterministic: the same lrjit and matplotlib give the same files.  A family
missing from ``FAMILIES`` below stops the script, so a new family gets a picture.
"""

import pathlib
import sys

import lrjit
from lrjit.plotting import compare

OUT = pathlib.Path(__file__).resolve().parent / "gallery"

# name: (schedule, steps, log y axis)
FAMILIES = {
    "constant": (lrjit.constant(0.1), 100, False),
    "linear": (lrjit.linear(0.0, 0.1, transition_steps=800, transition_begin=100), 1000, False),
    "step_decay": (lrjit.step_decay(0.1, step_size=300, gamma=0.5), 1000, False),
    "multistep": (lrjit.multistep(0.1, milestones=[300, 600, 800], gamma=0.3), 1000, True),
    "exponential": (lrjit.exponential(0.1, gamma=0.995), 1000, True),
    "polynomial": (lrjit.polynomial(0.1, 1e-3, power=2.0, transition_steps=1000), 1000, False),
    "cosine": (lrjit.cosine(0.1, decay_steps=1000, end_value=1e-3), 1000, False),
    "warmup_cosine": (lrjit.warmup_cosine(3e-4, warmup_steps=500, decay_steps=10_000), None, False),
    "join": (
        lrjit.join([lrjit.linear(0.0, 0.1, 100), lrjit.cosine(0.1, decay_steps=900)], [100]),
        1000,
        False,
    ),
    "one_cycle": (lrjit.one_cycle(0.1, total_steps=1000), 1000, False),
    "cyclic": (lrjit.cyclic(1e-3, 0.1, up_steps=100, down_steps=100, mode="triangular2"), 800, False),
    "cosine_restarts": (lrjit.cosine_restarts(0.1, decay_steps=100, period_mult=2), 1500, False),
    "inverse_sqrt": (lrjit.inverse_sqrt(0.1, warmup_steps=100), 2000, False),
    "wsd": (lrjit.wsd(0.1, 1000, warmup_steps=100, decay_steps=200), 1000, False),
    "inverse_time": (lrjit.inverse_time(0.1, decay_steps=100, decay_rate=0.5), 1000, False),
    "tanh": (lrjit.tanh(0.1, decay_steps=1000, end_value=1e-3), 1000, False),
    "piecewise_constant": (
        lrjit.piecewise_constant(0.1, {300: 0.5, 600: 0.2, 800: 0.5}), 1000, True),
    "piecewise_interpolate": (
        lrjit.piecewise_interpolate("cosine", 1e-3, {100: 100.0, 700: 0.1, 1000: 0.1}), 1200,
        False),
    # transformers' cosine multiplier: not held after num_training_steps, it rises again
    "transformers_schedule": (lrjit.transformers_schedule("cosine", 100, 1000), 1500, False),
}

COMPOSITIONS = {
    # warmup, stable, decay spelled as a join: three pieces, each on its local step
    "wsd_as_join": (
        lrjit.join(
            [lrjit.linear(0.0, 0.1, 100), lrjit.constant(0.1), lrjit.linear(0.1, 0.0, 200)],
            [100, 800],
        ),
        1000,
        False,
    ),
    # a linear warmup into an exponential decay, on a log axis
    "warmup_exponential": (
        lrjit.join([lrjit.linear(1e-3, 0.1, 200), lrjit.exponential(0.1, gamma=0.997)], [200]),
        1500,
        True,
    ),
    # restarts that warm up: a join nested inside a join
    "warmup_then_restarts": (
        lrjit.join(
            [lrjit.linear(1e-3, 0.1, 150), lrjit.cosine_restarts(0.1, 150, end_value=1e-3, period_mult=2)],
            [150],
        ),
        1200,
        False,
    ),
}


def save(ax, name):
    # No software/date metadata: re-running gives identical files.
    ax.figure.savefig(OUT / f"{name}.png", dpi=100, metadata={"Software": None})
    print(OUT / f"{name}.png")


def main():
    missing = set(lrjit.FACTORIES) - set(FAMILIES)
    if missing:
        sys.exit(f"docs/gallery.py: add a picture for {sorted(missing)} to FAMILIES")
    OUT.mkdir(exist_ok=True)
    for name, (schedule, steps, log) in {**FAMILIES, **COMPOSITIONS}.items():
        save(schedule.plot(steps, log=log), name)
    schedules = [
        lrjit.cosine(0.1, decay_steps=1000),
        lrjit.step_decay(0.1, step_size=300, gamma=0.5),
        lrjit.one_cycle(0.1, total_steps=1000),
    ]
    save(compare(schedules, ["cosine", "step_decay", "one_cycle"], title="lrjit compare"), "compare")


if __name__ == "__main__":
    main()
