"""The benchmarks stay runnable: each one imports the package's current layout and parses its
options (they are run by hand; see docs/performance.md and docs/regions.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    "script", ["bench.py", "regions_bench.py", "symbolic_bench.py", "variants_bench.py", "vnncomp.py", "box_verify_bench.py"]
)
def test_benchmark_imports_and_shows_its_options(script):
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "--quick" in out.stdout
