import os
import subprocess
import sys

import pytest
from hypothesis import settings

# Numba compiles on first call, so a wall-clock deadline would only measure that.
settings.register_profile("lrjit", deadline=None, max_examples=60)
settings.register_profile("thorough", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "lrjit"))


@pytest.fixture
def run_python():
    """Run ``code`` in a fresh interpreter; return its stdout, fail with its stderr."""

    def run(code, env=None, timeout=180, **kwargs):
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=timeout,
            **kwargs,
        )
        assert proc.returncode == 0, f"subprocess failed:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout

    return run
