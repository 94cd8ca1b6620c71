"""Shared fixtures: the book's networks, written out by hand (not loaded through symresnet)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

#: set by .ci/run: a skipped test (a missing library or LaTeX engine) is a failure there
NO_SKIPS = os.environ.get("SYMRESNET_NO_SKIPS") == "1"
#: set by .ci/run (or CI): a missing LaTeX engine fails the PDF tests instead of skipping them
LATEX_REQUIRED = os.environ.get("SYMRESNET_REQUIRE_LATEX") == "1" or bool(os.environ.get("CI"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if NO_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but SYMRESNET_NO_SKIPS=1 forbids skips: {report.longrepr}"


@pytest.fixture
def latex():
    """For tests that run the real LaTeX engine (pdflatex, latexmk)."""
    from symresnet.present.compile import find_engine

    if find_engine() is None:
        if LATEX_REQUIRED:
            pytest.fail("no LaTeX engine found, but SYMRESNET_REQUIRE_LATEX=1 or CI is set")
        pytest.skip("no LaTeX engine (pdflatex, latexmk) installed")


# Example 1.5.6, (1.147)-(1.149)
EXAMPLE_W = [[[1]], [[1], [2]], [[1, 0], [0, 1]], [[2, 2]]]
EXAMPLE_B = [[0], [0, 1], [0, 0], [1]]
EXAMPLE_SKIPS = {(0, 4): [[-1]]}

# Exercise 1.5.1, (1.158)-(1.160)
EXERCISE_W = [[[1], [2]], [[-1, 2], [3, -4], [-5, 6]], [[-1, 1, -1]]]
EXERCISE_B = [[3, 4], [0, 0, 0], [-4]]
EXERCISE_SKIPS = {(0, 3): [[1]], (1, 3): [[3, -2]]}


@pytest.fixture
def example():
    from symresnet import ResNet

    return ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips=EXAMPLE_SKIPS, activation="relu")


@pytest.fixture
def exercise():
    from symresnet import ResNet

    return ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS, activation="relu")
