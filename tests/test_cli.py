"""The ``python -m lrjit show`` command."""

import json
import subprocess
import sys

import pytest

from lrjit.__main__ import main


def _values(out):
    """The first/peak/last lines of the summary as {label: (step, value)}."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in ("first", "peak", "last"):
            rows[parts[0]] = (int(parts[2]), float(parts[3]))
    return rows


def test_show_warmup_cosine_summary_and_plot(tmp_path, capsys):
    plot = tmp_path / "lr.png"
    argv = ["show", "warmup_cosine", "--peak-value", "3e-4", "--warmup-steps", "500",
            "--decay-steps", "10000", "--plot", str(plot)]
    assert main(argv) == 0
    rows = _values(capsys.readouterr().out)
    # The warmup starts at init_value (0), peaks at peak_value when the warmup ends,
    # and the cosine reaches end_value (0) at decay_steps, the last step shown.
    assert rows["first"] == (0, 0.0)
    assert rows["peak"] == (500, 3e-4)
    assert rows["last"] == (10000, 0.0)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_config_json(capsys):
    config = {"type": "multistep", "init_value": 0.1, "milestones": [3, 6], "gamma": 0.5}
    assert main(["show", "--config", json.dumps(config), "--steps", "8"]) == 0
    rows = _values(capsys.readouterr().out)
    assert rows["first"] == (0, 0.1)
    assert rows["last"] == (7, 0.1 * 0.5**2)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["show", "cosine", "--init-value", "1", "--decay-steps", "1e4"], "decay_steps"),
        (["show", "cosine", "--bogus", "1"], "--decay-steps"),
        (["show", "cosine", "--init-value"], "needs a value"),
        (["show"], "name a family"),
    ],
)
def test_show_rejects_bad_input(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_module_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "lrjit", "show", "constant", "--value", "0.5", "--steps", "3"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert _values(out)["last"] == (2, 0.5)
