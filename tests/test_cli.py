"""The ``lrjit`` command line: in-process through ``main([...])``, and as a subprocess."""

import io
import json
import math
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Literal, Optional

import numpy as np
import pytest
from family_records import RECORDS, reference

import lrjit
from lrjit.cli import EXPORT_LIMIT, family_options, main


def run(argv, capsys):
    """``(exit status, stdout, stderr)`` of ``lrjit *argv`` run in this process."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def fails(argv, capsys):
    """The one stderr line of a failing command (exit status 2, nothing on stdout)."""
    code, out, err = run(argv, capsys)
    assert code == 2, (argv, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def summary_rows(out):
    """The summary's ``peak`` and ``final`` lines as {label: (value, step)}."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in ("peak", "final"):
            rows[parts[0]] = (float(parts[1]), int(parts[4]))
    return rows


def cli_argv(family, kwargs):
    """``show`` arguments for a factory's keyword arguments, as a user would type them."""
    argv = ["show", family]
    for name, value in kwargs.items():
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, dict) or (value and isinstance(value, (list, tuple))
                                         and isinstance(value[0], (list, tuple))):
            pairs = value.items() if isinstance(value, dict) else value  # STEP:SCALE pairs
            text = ",".join(f"{b}:{c!r}" for b, c in pairs)
        elif isinstance(value, (list, tuple)) and value and isinstance(value[0], lrjit.Schedule):
            text = json.dumps([s.to_dict() for s in value])
        elif isinstance(value, (list, tuple)):
            text = ",".join(map(str, value))
        else:
            text = repr(value) if isinstance(value, float) else str(value)
        argv.append(f"--{name.replace('_', '-')}={text}")
    return argv


# -- listing, help, version


def test_list_names_every_family_with_its_first_docstring_line(capsys):
    code, out, _ = run(["list"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(lrjit.FACTORIES)
    assert "torch's StepLR" in lines[list(lrjit.FACTORIES).index("step_decay")]


def test_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert (code, out) == (0, f"lrjit {lrjit.__version__}\n")


def test_family_help_lists_options_with_type_default_and_meaning(capsys):
    code, out, _ = run(["show", "cosine", "--help"], capsys)
    assert code == 0
    assert "usage: lrjit show cosine --init-value FLOAT --decay-steps INT" in out
    assert "--end-value FLOAT" in out and "(default: 0.0)" in out
    assert "--periodic BOOL" in out and "(default: false)" in out
    assert "the learning rate at step 0 (required)" in out
    assert "--plot PATH" in out and "--csv PATH" in out


def test_help_uses_the_parameters_section_of_the_docstring(capsys):
    code, out, _ = run(["show", "one_cycle", "--help"], capsys)
    assert code == 0
    assert "The maximum learning rate (torch's max_lr) (required)" in " ".join(out.split())
    assert "--anneal-strategy {cos,linear}" in out


@pytest.mark.parametrize("family", sorted(lrjit.FACTORIES))
def test_every_family_has_a_help_listing_each_argument(family, capsys):
    code, out, _ = run(["show", family, "--help"], capsys)
    assert code == 0
    for name, *_ in family_options(family):
        assert f"--{name.replace('_', '-')}" in out


# -- show: every family, typed as a user would


@pytest.mark.parametrize(
    "family, i", [(f, i) for f in sorted(RECORDS) for i in range(len(RECORDS[f].examples))]
)
def test_show_builds_the_factorys_schedule(family, i, capsys):
    kwargs = RECORDS[family].examples[i]
    code, out, _ = run([*cli_argv(family, kwargs), "--steps", "7", "--json", "-"], capsys)
    assert code == 0
    data = json.loads(out)
    expected = lrjit.FACTORIES[family](**kwargs)
    assert data["schedule"] == expected.to_dict()
    for t, value in enumerate(data["values"]):  # numbers from the formula written in the tests
        assert math.isclose(value, reference(expected, t), rel_tol=1e-12, abs_tol=1e-300)


def test_show_summary_of_warmup_cosine(capsys):
    argv = ["show", "warmup_cosine", "--peak-value", "3e-4", "--warmup-steps", "500",
            "--decay-steps", "10000"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    # The warmup peaks at peak_value where it ends; the cosine reaches 0 at decay_steps.
    assert summary_rows(out) == {"peak": (3e-4, 500), "final": (0.0, 10000)}
    assert "settles  at step 10000" in out


def test_option_spellings(capsys):
    """--name=value, booleans in any case, whole numbers as 1e3, lists with commas."""
    for word, flag in [("TRUE", True), ("yes", True), ("1", True), ("No", False), ("0", False)]:
        code, out, _ = run(["show", "cosine", "--init-value=0.1", "--decay-steps=1e3",
                            "--periodic", word, "--json", "-", "--steps", "2"], capsys)
        assert code == 0
        assert json.loads(out)["schedule"]["periodic"] is flag
        assert json.loads(out)["schedule"]["decay_steps"] == 1000
    code, out, _ = run(["show", "multistep", "--init-value", "0.1", "--milestones", "80,30",
                        "--json", "-"], capsys)
    assert json.loads(out)["schedule"]["milestones"] == [30, 80]


# -- exports


def test_exports_read_back_equal_to_the_table(tmp_path, capsys):
    argv = ["show", "cosine", "--init-value", "0.1", "--decay-steps", "1000",
            "--end-value", "1e-4", "--steps", "1200"]
    paths = {kind: tmp_path / f"lr.{kind}" for kind in ("csv", "npy", "json")}
    code, out, _ = run([*argv, *(a for k, p in paths.items() for a in (f"--{k}", str(p)))],
                       capsys)
    assert code == 0 and out.startswith("lrjit.cosine(")
    table = lrjit.cosine(0.1, decay_steps=1000, end_value=1e-4).table(1200)
    rows = np.loadtxt(paths["csv"], delimiter=",", skiprows=1)
    assert paths["csv"].read_text().splitlines()[0] == "step,lr"
    np.testing.assert_array_equal(rows[:, 0], np.arange(1200))
    np.testing.assert_array_equal(rows[:, 1], table)  # repr() round-trips exactly
    np.testing.assert_array_equal(np.load(paths["npy"]), table)
    data = json.loads(paths["json"].read_text())
    assert data["start"] == 0 and data["steps"] == 1200
    np.testing.assert_array_equal(data["values"], table)
    # the numbers themselves, from the formula
    want = [1e-4 + (0.1 - 1e-4) * (1 + math.cos(math.pi * min(t, 1000) / 1000)) / 2
            for t in range(1200)]
    np.testing.assert_allclose(table, want, rtol=1e-12, atol=0)


def test_export_to_stdout_with_start(capsys):
    argv = ["show", "step_decay", "--init-value", "1", "--step-size", "10", "--gamma", "0.5",
            "--start", "15", "--steps", "10"]
    code, out, _ = run([*argv, "--csv", "-"], capsys)
    assert code == 0
    lines = out.splitlines()  # no summary: stdout carries the export
    assert lines[0] == "step,lr" and len(lines) == 11
    assert [tuple(map(float, line.split(","))) for line in lines[1:]] == [
        (t, 0.5 ** (t // 10)) for t in range(15, 25)
    ]


def test_npy_to_stdout(capsysbinary):
    assert main(["show", "constant", "--value", "0.25", "--steps", "3", "--npy", "-"]) == 0
    values = np.load(io.BytesIO(capsysbinary.readouterr().out))
    np.testing.assert_array_equal(values, [0.25, 0.25, 0.25])


# -- config


def test_config_from_file_stdin_and_inline(tmp_path, capsys, monkeypatch):
    config = {"type": "multistep", "init_value": 0.1, "milestones": [3, 6], "gamma": 0.5}
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(config))
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(config)))
    for source in (str(path), "-", json.dumps(config)):
        code, out, _ = run(["show", "--config", source, "--steps", "8", "--json", "-"], capsys)
        assert code == 0
        assert json.loads(out)["values"] == [0.1] * 3 + [0.05] * 3 + [0.025] * 2


def test_a_json_export_is_a_config(tmp_path, capsys):
    path = tmp_path / "run.json"
    argv = ["show", "cyclic", "--init-value", "0.1", "--peak-value", "1", "--up-steps", "3",
            "--down-steps", "2", "--mode", "triangular2", "--steps", "20"]
    assert run([*argv, "--json", str(path)], capsys)[0] == 0
    code, out, _ = run(["show", "--config", str(path), "--steps", "20", "--json", "-"], capsys)
    assert code == 0 and json.loads(out) == json.loads(path.read_text())


def test_show_join_with_json_pieces(capsys):
    pieces = [{"type": "linear", "init_value": 0.0, "end_value": 0.1, "transition_steps": 10},
              {"type": "constant", "value": 0.1}]
    code, out, _ = run(["show", "join", "--schedules", json.dumps(pieces), "--boundaries", "10",
                        "--steps", "12", "--json", "-"], capsys)
    assert code == 0
    values = json.loads(out)["values"]
    assert values[5] == 0.05 and values[10:] == [0.1, 0.1]


# -- compare


def test_compare_specs_labels_and_exports(tmp_path, capsys):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps(lrjit.step_decay(0.1, step_size=300, gamma=0.5).to_dict()))
    plot = tmp_path / "cmp.png"
    argv = ["compare", "cosine --init-value 0.1 --decay-steps 1000", str(cfg),
            '{"type": "constant", "value": 0.05}', "--plot", str(plot),
            "--npy", str(tmp_path / "v.npy"), "--csv", str(tmp_path / "v.csv")]
    code, out, _ = run(argv, capsys)
    assert code == 0 and out.count("lrjit.") == 3
    table = np.load(tmp_path / "v.npy")
    assert table.shape == (3, 1001)  # the longest horizon
    np.testing.assert_array_equal(table[1], lrjit.step_decay(0.1, 300, gamma=0.5).table(1001))
    header = (tmp_path / "v.csv").read_text().splitlines()[0]
    assert header.startswith("step,\"cosine(init_value=0.1, decay_steps=1000)\",")
    assert png_size(plot) == (1080, 576)
    code, out, _ = run([*argv[:4], "--label", "a", "--label", "b", "--label", "c",
                        "--json", "-"], capsys)
    assert [e["label"] for e in json.loads(out)["schedules"]] == ["a", "b", "c"]


# -- plots


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_plot_formats(tmp_path, suffix, capsys):
    path = tmp_path / f"lr{suffix}"
    code, out, _ = run(["show", "multistep", "--init-value", "0.1", "--milestones", "30,80",
                        "--log", "--plot", str(path)], capsys)
    assert code == 0 and f"plot written to {path}" in out
    assert path.stat().st_size > 1000
    if suffix == ".png":
        assert png_size(path) == (1080, 576)


def test_huge_horizon_is_sampled(tmp_path, capsys):
    path = tmp_path / "huge.png"
    code, out, _ = run(["show", "cosine", "--init-value", "0.1", "--decay-steps", "100000000000",
                        "--plot", str(path)], capsys)
    assert code == 0
    assert "100,000,000,001 steps, 20,001 sampled steps" in out
    assert summary_rows(out)["final"] == (0.0, 100_000_000_000)
    assert png_size(path) == (1080, 576)


# -- errors: one line, exit status 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["show", "cosine", "--init-value", "0.1"], "--decay-steps is required"),
        (["show", "cosine"], "--init-value and --decay-steps are required"),
        (["show", "cosine", "--bogus", "1"], "unrecognized arguments: --bogus 1; cosine takes"),
        (["show", "cosin"], "invalid choice: 'cosin'"),
        (["show", "cosine", "--init-value", "x", "--decay-steps", "9"], "expected a number"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "1.5"], "a whole number"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "0"],
         "--decay-steps must be an integer in [1, 2**53], got 0"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "9", "--periodic", "maybe"],
         "expected true/false/1/0/yes/no"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "9", "--steps", "0"],
         "argument --steps: must be a whole number in [1, 2**53], got '0'"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "9", "--steps", "1e17"],
         "argument --steps: must be a whole number in [1, 2**53]"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "9", "--start", "-1"],
         "argument --start: must be a whole number in [0, 2**53]"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "9", "--plot", "/nonexistent/x.png"],
         "--plot /nonexistent/x.png: no such directory"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "9", "--plot", "x.jpg"],
         "must end in .png, .svg, .pdf"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "100000000000", "--csv", "x"],
         f"more than the export limit of {EXPORT_LIMIT:,}; pass --steps"),
        (["show", "cosine", "--init-value", "1", "--decay-steps", "9", "--csv", "-", "--json", "-"],
         "only one output can go to stdout"),
        (["show"], "name a FAMILY"),
        (["show", "--config", '{"type": "cosine", "init_value": 1'],
         "--config: invalid JSON at line 1 column 35: Expecting ',' delimiter"),
        (["show", "--config", "/nonexistent.json"], "--config: cannot read '/nonexistent.json'"),
        (["show", "--config", '{"type": "cosine", "init_value": 1}'], "missing key(s) 'decay_steps'"),
        (["show", "--config", "{}", "cosine"], "not both"),
        (["compare", "cosine --init-value 1"], "SPEC 'cosine --init-value 1': --decay-steps is"),
        (["compare", "nothing"], "neither a family"),
        (["compare", "cosine", "--init-value", "1"], "quote each SPEC as one argument"),
        (["compare", "{\"type\": \"constant\", \"value\": 1}", "--label", "a", "--label", "b"],
         "got 2 --label for 1 schedules"),
        ([], "required: COMMAND"),
    ],
)
def test_bad_input_is_one_line_and_status_2(argv, message, capsys):
    assert message in fails(argv, capsys)


# -- as a subprocess


def lrjit_process(*argv, **kwargs):
    return subprocess.run([sys.executable, "-m", "lrjit", *argv], capture_output=True, text=True,
                          timeout=300, **kwargs)


def test_module_entry_point_runs_and_fails_cleanly(tmp_path):
    proc = lrjit_process("show", "constant", "--value", "0.5", "--steps", "3", "--csv", "-")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "step,lr\n0,0.5\n1,0.5\n2,0.5\n"
    proc = lrjit_process("show", "cosine", "--init-value", "1", "--decay-steps", "9",
                         "--plot", "/nonexistent/x.png")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "no such directory" in proc.stderr


def test_closed_pipe_exits_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrjit", "show", "cosine", "--init-value", "1", "--decay-steps",
         "1000000", "--csv", "-"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline() == b"step,lr\n"
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0
    assert "Error" not in err and "Traceback" not in err, err


def test_console_script_is_called_lrjit():
    script = os.path.join(os.path.dirname(sys.executable), "lrjit")
    if not os.path.exists(script):
        pytest.skip("the lrjit console script is not installed next to this Python")
    proc = subprocess.run([script, "show", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: lrjit show")


# -- a new family needs no edit of the command line


def toy(init_value: float, sizes: Sequence[int], mode: Literal["up", "down"] = "up",
        scale: Optional[float] = 2.0, flip=False):
    """A toy family.

    Parameters
    ----------
    init_value : float
        The start.
    sizes
        Some whole numbers.
    mode
        Which way.
    """
    value = init_value * scale * (len(sizes) + sum(sizes)) * (0.5 if flip else 1.0)
    return lrjit.constant(value if mode == "up" else value / 10)


def test_a_registered_family_gets_its_options_from_annotations_and_docstring(
    monkeypatch, capsys
):
    monkeypatch.setitem(lrjit.FACTORIES, "toy", toy)
    assert [o[:3] for o in family_options("toy")] == [
        ("init_value", "float", True), ("sizes", "list:int", True),
        ("mode", ("choice", ["up", "down"]), False), ("scale", "float", False),
        ("flip", "bool", False),
    ]
    code, out, _ = run(["show", "toy", "--help"], capsys)
    assert "--sizes INT,..." in out and "--mode {up,down}" in out and "The start (required)" in out
    code, out, _ = run(["show", "toy", "--init-value", "1", "--sizes", "3", "--mode", "down",
                        "--flip", "YES", "--steps", "1", "--json", "-"], capsys)
    assert code == 0 and json.loads(out)["values"] == [0.4]  # 1 * 2 * (1 + 3) / 2 / 10
    assert "invalid choice: 'sideways'" in fails(
        ["show", "toy", "--init-value", "1", "--sizes", "3", "--mode", "sideways"], capsys)


@pytest.mark.parametrize(
    "text, kind",
    [("float", "float"), ("int, optional", "int"), ("bool", "bool"), ("int | float", "float"),
     ("Sequence[int]", "list:int"), ("list of float", "list:float"),
     ("Literal['cos', 'linear']", ("choice", ["cos", "linear"])),
     ('{"cos", "linear"}', ("choice", ["cos", "linear"])), ("Sequence[Schedule]", "json"),
     ("numbers.Real", "float"), ("Optional[int]", "int"), ("callable", None)],
)
def test_types_read_from_annotation_text(text, kind):
    from lrjit.cli.options import _kind_from_text

    assert _kind_from_text(text) == kind
