"""The README's examples run as written: each Python block on its own, each command line."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def _commands():
    """The README's shell lines that run lrjit, minus their ``pip install ... &&`` prefix."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", TEXT, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            parts = [p.strip() for p in line.split("&&")]
            parts = [p for p in parts if p and not p.startswith(("pip ", "#"))]
            command = " && ".join(parts)
            if re.match(r"(lrjit|python -m lrjit|echo .*> \S+$)", command):
                commands.append(command)
    return commands


COMMANDS = _commands()


def test_the_readme_has_examples():
    assert len(PYTHON_BLOCKS) >= 4
    assert len(COMMANDS) >= 8
    assert not any("[...]" in c or "..." in c.split("#")[0] for c in COMMANDS)


@pytest.mark.parametrize("i", range(len(PYTHON_BLOCKS)))
def test_python_block_runs_on_its_own(i, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"readme_block_{i}"}
    exec(compile(PYTHON_BLOCKS[i], f"{README}:block{i}", "exec"), namespace)
    if "train" in namespace:  # the in-loop example trains least squares to its exact solution
        assert abs(namespace["w"] - [1.0, -2.0, 0.5]).max() < 1e-3


def test_command_lines_run(tmp_path):
    """Every command, in order and in one folder (later ones read earlier files), exits 0."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "lrjit"  # this interpreter's lrjit, whether or not it is installed
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m lrjit "$@"\n')
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for command in COMMANDS:
        command = command.replace("python -m lrjit", "lrjit")
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (command, proc.stderr)
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
    assert (tmp_path / "lr.png").stat().st_size > 0
    assert (tmp_path / "compare.png").stat().st_size > 0
