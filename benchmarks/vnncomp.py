"""Benchmark: ``symresnet verify`` on ACAS Xu (VNN-COMP) instances, with nnenum beside it.

Run from the repository root::

    python benchmarks/vnncomp.py --instances 1_1:1,1_1:2,1_1:3,1_1:4 --timeout 60
    python benchmarks/vnncomp.py --all --timeout 60        # the 186 instances (hours here)
    python benchmarks/vnncomp.py --quick                   # two fast instances, table printed only
    python benchmarks/vnncomp.py --all --sat-only --timeout 120 --no-write   # the 47 published sat

An instance ``A_T:P`` is network ``ACASXU_run2a_A_T_batch_2000.onnx`` with ``prop_P.vnnlib``
from ``--data`` (default ``../shared/acasxu``).  For each instance it times symresnet's engine
(:func:`symresnet.verify.engine.verify`: float search, then the exact check of the certificate
or counterexample; the ONNX import is timed apart) and, when an nnenum installation is given
(``--nnenum PYTHON``: a Python interpreter that can ``import nnenum``, default the environment
variable ``NNENUM_PYTHON``), nnenum through its own command line
(``python -m nnenum.nnenum NET PROP TIMEOUT OUTFILE 1``: one process, like symresnet's one
worker), wall clock including its start-up.  The published verdict comes from
``benchmarks/acasxu_verdicts.json`` (VNN-COMP 2023's result files; the json names repository,
commit and files); ``--sat-only``/``--unsat-only`` keep the chosen instances with that
published verdict.  Unless ``--quick`` or ``--no-write``, the table goes into
docs/verification.md between the ``<!-- vnncomp -->`` markers, with the command that produced
it, rewritten after every instance (an interrupted run leaves the table so far, marked partial).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symresnet.io.onnx import read_onnx  # noqa: E402
from symresnet.io.vnnlib import load_vnnlib  # noqa: E402
from symresnet.verify.engine import verify  # noqa: E402

VERDICTS = json.loads((ROOT / "benchmarks" / "acasxu_verdicts.json").read_text())
DOC = ROOT / "docs" / "verification.md"
BEGIN, END = "<!-- vnncomp -->", "<!-- /vnncomp -->"
QUICK = ["2_1:2", "1_1:4"]


def published(instance: str) -> str:
    return str(VERDICTS["verdicts"].get(instance, "-"))


def all_instances() -> list[str]:
    """The 186 instances in the order of VNN-COMP's acasxu ``instances.csv``."""
    return list(VERDICTS["verdicts"])


@dataclass
class Row:
    instance: str
    verdict: str
    published: str
    import_s: float
    search_s: float
    check_s: float
    leaves: int
    cert_bytes: int
    proven: float
    nnenum: str
    nnenum_s: float | None
    lp: str = ""

    @property
    def total_s(self) -> float:
        return self.search_s + self.check_s


def run_nnenum(python: str, net: Path, prop: Path, timeout: float) -> tuple[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.txt"
        t = time.perf_counter()
        try:
            subprocess.run([python, "-m", "nnenum.nnenum", str(net), str(prop), str(timeout), str(out), "1"],
                           capture_output=True, text=True, timeout=timeout + 60, check=False)
        except subprocess.TimeoutExpired:
            return "timeout", time.perf_counter() - t
        seconds = time.perf_counter() - t
        text = out.read_text().strip().split("\n")[0] if out.exists() else "error"
    return {"holds": "unsat", "violated": "sat"}.get(text, text), seconds


def run_instance(instance: str, data: Path, timeout: float, nnenum: str | None, *, lp: bool = True,
                 bounds: str | None = None) -> Row:
    name, p = instance.split(":")
    net_path = data / f"ACASXU_run2a_{name}_batch_2000.onnx"
    prop_path = data / f"prop_{p}.vnnlib"
    t = time.perf_counter()
    net = read_onnx(net_path).network
    prop = load_vnnlib(prop_path)
    imported = time.perf_counter() - t
    res = verify(net, prop, timeout=timeout, workers=1, lp=lp, bounds=bounds)
    size = len(json.dumps(res.certificate)) if res.certificate is not None else 0
    nn, nn_s = run_nnenum(nnenum, net_path, prop_path, timeout) if nnenum else ("-", None)
    return Row(instance, res.status, published(instance), imported, res.search_seconds, res.check_seconds,
               res.leaves, size, res.proven, nn, nn_s, json.dumps(res.extra))


def table(rows: list[Row]) -> str:
    lines = [
        "| instance | verdict | published | nnenum | symresnet s (search + check) | leaves | certificate | "
        "proven volume | nnenum s | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = f"{r.total_s / r.nnenum_s:.1f}x" if r.nnenum_s else "-"
        nn_s = f"{r.nnenum_s:.1f}" if r.nnenum_s is not None else "-"
        cert = f"{r.cert_bytes / 1e6:.2f} MB" if r.cert_bytes else "-"
        lines.append(
            f"| {r.instance} | {r.verdict} | {r.published} | {r.nnenum} | {r.total_s:.1f} ({r.search_s:.1f} + "
            f"{r.check_s:.1f}) | {r.leaves} | {cert} | {r.proven:.1%} | {nn_s} | {ratio} |"
        )
    decided = [r for r in rows if r.verdict in ("sat", "unsat")]
    wrong = [r.instance for r in decided if r.verdict != r.published]
    ours = sum(r.total_s for r in rows)
    theirs = sum(r.nnenum_s for r in rows if r.nnenum_s is not None)
    lines.append("")
    lines.append(
        f"Decided {len(decided)} of {len(rows)}; verdicts differing from the published ones: "
        f"{', '.join(wrong) or 'none'}. Total time: symresnet {ours:.1f} s"
        + (f", nnenum {theirs:.1f} s (ratio {ours / theirs:.1f}x)." if theirs else ".")
    )
    return "\n".join(lines)


def write_doc(text: str, command: str) -> None:
    doc = DOC.read_text()
    block = (
        f"{BEGIN}\nMeasured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()} "
        f"({os.cpu_count()} cores shared with other work), one worker each, by\n\n"
        f"```\n{command}\n```\n\n{text}\n{END}"
    )
    if BEGIN in doc:
        doc = doc[: doc.index(BEGIN)] + block + doc[doc.index(END) + len(END) :]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(doc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instances", default=None, help="comma-separated A_T:P, e.g. 1_1:1,2_1:2")
    ap.add_argument("--all", action="store_true", help="the 186 VNN-COMP ACAS Xu instances")
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}; print, do not write")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds of search per instance and tool")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "acasxu")
    ap.add_argument("--nnenum", default=os.environ.get("NNENUM_PYTHON"), metavar="PYTHON")
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--sat-only", action="store_true", help="only the chosen instances published as sat")
    only.add_argument("--unsat-only", action="store_true", help="only the chosen instances published as unsat")
    ap.add_argument("--bounds", choices=["backsub", "forward"], default=None,
                    help="step 1 of the bound procedure (default: the engine's BOUNDS)")
    ap.add_argument("--no-lp", action="store_true", help="no LP leaves (interval refutations only)")
    ap.add_argument("--both-lp", action="store_true", help="each instance without, then with LP leaves (print only)")
    args = ap.parse_args()
    chosen = QUICK if args.quick else all_instances() if args.all else (args.instances or "1_1:4").split(",")
    chosen = [c.strip() for c in chosen]
    if args.sat_only or args.unsat_only:
        chosen = [c for c in chosen if published(c) == ("sat" if args.sat_only else "unsat")]
    write = not (args.quick or args.no_write)
    cmd = "python benchmarks/vnncomp.py " + " ".join(
        a if not a.startswith("/") else "<nnenum python>" for a in sys.argv[1:]
    )
    rows = []
    for n, inst in enumerate(chosen, start=1):
        for lp in ((False, True) if args.both_lp else (not args.no_lp,)):
            row = run_instance(inst, args.data, args.timeout, args.nnenum, lp=lp, bounds=args.bounds)
            rows.append(row)
            print(table([row]).split("\n")[2], f"lp={lp} {row.lp}", flush=True)
        if write and not args.both_lp and n < len(chosen):  # an interrupted run still leaves the table so far
            write_doc(table(rows) + f"\n\n(partial: {n} of {len(chosen)} instances run so far)", cmd)
    text = table(rows)
    print(text)
    if write and not args.both_lp:
        write_doc(text, cmd)


if __name__ == "__main__":
    main()
