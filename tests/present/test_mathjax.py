"""Every Jupyter display string (``_repr_latex_``) typeset by a real MathJax 3 under node.

``tests/mathjax/check.js`` finds the formulas in each string as Jupyter does (``$...$``,
``$$...$$``, TeX packages base and ams) and reports MathJax's errors (``merror`` nodes: MathJax
does not throw), aligned rows without exactly one alignment point, and TeX left untypeset in the
text.  It needs node and ``npm ci`` in tests/mathjax (``.ci/run`` does both); without them the
test skips, and under ``SYMRESNET_NO_SKIPS=1`` (CI) it fails saying what to install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from displays import display_objects

MATHJAX = Path(__file__).parents[1] / "mathjax"
SCRIPT = MATHJAX / "check.js"


def _node() -> str:
    node = shutil.which("node")
    installed = (MATHJAX / "node_modules" / "mathjax-full" / "package.json").is_file()
    if node is None or not installed:
        what = (
            "node (apt-get install nodejs npm)"
            if node is None
            else (f"mathjax-full (cd {MATHJAX} && npm ci)")
        )
        if os.environ.get("SYMRESNET_NO_SKIPS") == "1":
            pytest.fail(f"the MathJax check needs {what}; SYMRESNET_NO_SKIPS=1 forbids skipping it")
        pytest.skip(f"the MathJax check needs {what}")
    return node


def _check(strings: list[str]) -> list[dict]:
    done = subprocess.run(
        [_node(), str(SCRIPT)],
        input=json.dumps(strings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_checker_finds_what_jupyter_gets_wrong():
    bad = [
        r"$$\begin{aligned} x_{4} &= a \\ &\quad &= b \end{aligned}$$",  # the old template
        r"$$\begin{aligned} x_{0} = 5 \\ x_{1} &= 5 \end{aligned}$$",  # a row without &
        r"$\undefinedmacro{x}$",
        r"$$\begin{split} a &= b \end{split}$$ and $\frac{1}{2$",
        r"a fraction \frac{1}{2} outside math",
    ]
    results = _check([*bad, r"$$\begin{aligned} a &= b \\ &= c \end{aligned}$$ fine $x$"])
    assert [bool(r["problems"]) for r in results] == [True] * len(bad) + [False]
    assert "3 column(s)" in results[0]["problems"][0]
    assert "1 column(s)" in results[1]["problems"][0]
    assert "Undefined control sequence" in results[2]["problems"][0]


def test_every_display_string_typesets_without_errors():
    objects = display_objects()
    strings = [obj._repr_latex_() for _, obj in objects]
    results = _check(strings)
    assert len(results) == len(objects)
    problems = [
        f"{name}: {p}" for (name, _), r in zip(objects, results, strict=True) for p in r["problems"]
    ]
    assert not problems, "\n".join(problems)
    # every display has formulas (a display of text only would pass trivially), except the
    # failure, which is one sentence
    empty = [name for (name, _), r in zip(objects, results, strict=True) if r["formulas"] == 0]
    assert empty == ["failure"]
