"""The declarative hostile cases of ``tests/hostile_runs/*.toml``, each run as a user would.

A case is a table in an ``[[case]]`` array::

    [[case]]
    name = "time-limit-nan"                  # unique over all files
    args = ["--time-limit", "nan", "eval", "{example}", "--at", "1"]
    message = "time limit"                   # a regex searched in the one stderr line
    # optional:
    exit = 2                                 # the expected status (default 2)
    files = { "p.jsonl" = "[1]\n" }          # text files written in the job folder first
    stdin = "..."                            # text on standard input
    memory_mb = 2500                         # address-space cap of the run
    timeout = 60                             # seconds before the test fails
    outputs = ["out.tex"]                    # files the run may leave behind (default none)

``{example}`` / ``{exercise}`` are the built-in specs of Example 1.5.6 / Exercise 1.5.1, ``{dir}`` the job folder.  The run happens in the
job folder; afterwards it may hold only the files given and ``outputs``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hostile_run import MEMORY_MB, TIMEOUT, assert_clean_error, run_cli

from symresnet.examples import example_path

RUNS = Path(__file__).parent / "hostile_runs"


def load_cases() -> list[dict]:
    cases: list[dict] = []
    for path in sorted(RUNS.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8")).get("case", []):
            cases.append({**case, "source": path.name})
    return cases


CASES = load_cases()


def test_case_names_are_unique():
    assert CASES, f"no [[case]] found in {RUNS}/*.toml"  # an empty corpus must not pass
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hostile_run(case, tmp_path):
    job = tmp_path / "job"
    job.mkdir()
    for name, text in case.get("files", {}).items():
        target = job / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    subst = {
        "{example}": str(example_path("example-1.5.6")),
        "{exercise}": str(example_path("exercise-1.5.1")),
        "{dir}": str(job),
    }
    args = []
    for a in case["args"]:
        for key, value in subst.items():
            a = a.replace(key, value)
        args.append(a)
    stdin = case.get("stdin")
    before = {p.relative_to(job) for p in job.rglob("*")}
    run = run_cli(
        args,
        cwd=job,
        memory_mb=case.get("memory_mb", MEMORY_MB),
        timeout=case.get("timeout", TIMEOUT),
        stdin=None if stdin is None else stdin.encode(),
    )
    assert_clean_error(run, case["message"], code=case.get("exit", 2))
    after = {p.relative_to(job) for p in job.rglob("*")}
    allowed = before | {Path(o) for o in case.get("outputs", [])}
    assert after <= allowed, f"unexpected files: {sorted(map(str, after - allowed))}"
