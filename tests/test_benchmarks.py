"""The benchmarks stay runnable: each one imports the package's current layout and parses its
options (they are run by hand; see docs/performance.md and docs/regions.md)."""

from __future__ import annotations

import json
import re
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


def test_acasxu_verdicts_are_the_186_instances_of_vnncomp_with_their_source():
    """benchmarks/acasxu_verdicts.json: exactly VNN-COMP's acasxu instances (properties 1-4 on
    the 45 networks ``ACASXU_run2a_<a>_<t>``, a = 1..5, t = 1..9; properties 5-10 on the one
    network each of Katz et al. 2017, Appendix VI), each sat or unsat, and a named source."""
    data = json.loads((BENCHMARKS / "acasxu_verdicts.json").read_text())
    nets = [f"{a}_{t}" for a in range(1, 6) for t in range(1, 10)]
    expected = {f"{n}:{p}" for n in nets for p in (1, 2, 3, 4)}
    expected |= {"1_1:5", "1_1:6", "1_9:7", "2_9:8", "3_3:9", "4_5:10"}
    verdicts = data["verdicts"]
    assert len(verdicts) == 186
    assert set(verdicts) == expected
    assert set(verdicts.values()) <= {"sat", "unsat"}
    source = data["source"]
    assert source["repository"].startswith("https://github.com/")
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])
    assert source["files"] and all(f.endswith("results.csv") for f in source["files"])


def test_vnncomp_filters_by_published_verdict():
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "vnncomp.py"), "--help"], capture_output=True, text=True
    )
    assert "--sat-only" in out.stdout and "--unsat-only" in out.stdout
