"""The README's Python examples run as written (one namespace, in order)."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 4
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    # The in-loop example trains least squares to its exact solution.
    assert abs(namespace["w"] - [1.0, -2.0, 0.5]).max() < 1e-3
