"""Many points at once: realize_many, sweep, and `eval --points`.

Expected values come from tests/reference.py (plain Fractions) or from the book by hand.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
from fractions import Fraction

import flint
import pytest
import reference as ref
import sympy

from symresnet import ResNet, realize_many
from symresnet.base.errors import ClaimError, InputError, LimitError, ParseError
from symresnet.cli.main import main
from symresnet.compute.batch import _groups, sweep
from symresnet.compute.workers import map_chunks
from symresnet.values.limits import Limits

EXERCISE = "symresnet/examples/exercise-1.5.1.toml"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _random_net(seed: int, *, width: int = 3, depth: int = 3, activation="relu"):
    rng = random.Random(seed)

    def q():
        return Fraction(rng.randint(-5, 5), rng.randint(1, 4))

    dims = [rng.randint(1, width) for _ in range(depth + 1)]
    W = [[[q() for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, depth + 1)]
    B = [[q() for _ in range(dims[k])] for k in range(1, depth + 1)]
    skips = {
        (r, k): [[q() for _ in range(dims[r])] for _ in range(dims[k])]
        for k in range(2, depth + 1)
        for r in range(k - 1)
        if rng.random() < 0.5
    }
    points = [[q() for _ in range(dims[0])] for _ in range(rng.randint(1, 9))]
    return ResNet(W=W, B=B, skips=skips, activation=activation), (W, B, skips), points


def _expected(data, f, x0):
    W, B, skips = data
    return ref.realization(W, B, skips, f, x0)[-1]


def _got(batch, j):
    return [Fraction(int(q.p), int(q.q)) for q in batch.outputs.values(j)]


@pytest.mark.parametrize("seed", range(12))
def test_realize_many_matches_reference(seed):
    act, f = [
        ("relu", ref.relu),
        ({"name": "leaky_relu", "gamma": "1/4"}, ref.leaky(Fraction(1, 4))),
        ("heaviside", ref.heaviside),
    ][seed % 3]
    net, data, points = _random_net(seed, activation=act)
    batch = realize_many(net, points, workers=1)
    assert len(batch) == len(points) == len(batch.outputs)
    for j, p in enumerate(points):
        assert _got(batch, j) == _expected(data, f, p)
        assert list(batch.outputs[j]) == _expected(data, f, p)
    assert batch.trace(0).output == batch.outputs[0]


def test_points_with_far_apart_denominators_are_grouped():
    net, data, _ = _random_net(3, width=2)
    dim = net.dims[0]
    big = [2**61 - 1, 3**40, 5**30, 7**25]
    points = [[Fraction(j // 4 + 1, big[j % 4])] * dim for j in range(8)]
    groups = _groups([[flint.fmpq(x.numerator, x.denominator) for x in p] for p in points])
    assert sorted(map(sorted, groups)) == [[0, 4], [1, 5], [2, 6], [3, 7]]
    batch = realize_many(net, points, workers=1)
    for j, p in enumerate(points):
        assert _got(batch, j) == _expected(data, ref.relu, p)


def test_symbolic_points_and_networks_fall_back_to_realize(exercise):
    x = sympy.Symbol("x", real=True)
    batch = realize_many(exercise, [[-1], ["x"], [Fraction(1, 2)]], names={"x": x})
    assert batch.outputs[0] == sympy.Matrix([-7])
    assert batch.outputs[1][0].subs(x, -1) == -7
    assert batch.outputs.strings(2) == ["-22"]
    a = sympy.Symbol("a", real=True)
    net = ResNet(W=[[[a]], [[2]]], B=[[1], [0]], names={"a": a})
    out = realize_many(net, [[3], [-1]]).outputs
    assert [out[0][0].subs(a, 1), out[1][0].subs(a, 1)] == [8, 0]


def test_errors_name_the_point(exercise):
    with pytest.raises(ClaimError, match=r"points\[2\]: expected 1 entry"):
        realize_many(exercise, [[1], [1, 2]])
    with pytest.raises(ParseError, match=r"points\[1\]\[1\]"):
        realize_many(exercise, [["1/0"]])


def test_huge_entries_meet_the_parsers_limits(exercise):
    with pytest.raises(LimitError, match=r"points\[2\]\[1\]"):
        realize_many(exercise, [[1], [Fraction(10**6000, 3)]])
    # by hand: for x > 0, x_1 = (x + 3; 2x + 4), x_2 = (3x + 5; 0; 7x + 9), x_3 = -10x - 17
    x = Fraction(10**40, 3)
    assert realize_many(exercise, [[x]]).outputs.strings(0) == [str(-10 * x - 17)]


def test_outputs_beyond_python_str_limit_print():
    # RePU_64 twice on 10^70: x_1 = 10^4480, more digits than Python's default str limit allows
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation={"name": "repu", "p": 64})
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)
    try:
        text = realize_many(net, [[10**70]]).outputs.strings(0)[0]
    finally:
        sys.set_int_max_str_digits(old)
    assert text == "1" + "0" * 4480


@pytest.mark.parametrize("workers", [1, 2])
def test_the_callers_limits_reach_the_core_in_every_process(workers):
    # RePU_3 on 2^40: x_1 = 2^120, 121 bits; the core refuses when a limit of 100 bits is given
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation={"name": "repu", "p": 3})
    points = [[2**40]] * 4
    assert realize_many(net, points, workers=workers).outputs.strings(0) == [str(2**120)]
    tight = Limits(max_result_bits=100)
    with pytest.raises(LimitError, match="max_result_bits"):
        realize_many(net, points, limits=tight, workers=workers, chunk_size=2)


def _pid(shared, chunk):
    return (os.getpid(), shared + sum(chunk))


def test_realize_many_in_worker_processes_matches_reference():
    net, data, _ = _random_net(5, width=4, depth=4)
    rng = random.Random(1)
    points = [
        [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(net.dims[0])]
        for _ in range(40)
    ]
    batch = realize_many(net, points, workers=2, chunk_size=7)
    for j, p in enumerate(points):
        assert _got(batch, j) == _expected(data, ref.relu, p)


def test_realize_many_on_a_dask_cluster(exercise):
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    with distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as cluster:
        batch = realize_many(
            exercise,
            [[-1], [Fraction(1, 2)], [3], [-3]],
            scheduler=cluster.scheduler_address,
            chunk_size=2,
        )
    # by hand from (1.158)-(1.160): -7 at -1, -22 at 1/2, -47 at 3, -7 at -3
    assert [batch.outputs.strings(j) for j in range(4)] == [["-7"], ["-22"], ["-47"], ["-7"]]


def test_realize_many_on_a_local_cluster_of_worker_processes():
    """A real Dask cluster: two worker processes, so the compiled network, the point blocks and
    the results cross process boundaries by pickling (the chunks take the modular path)."""
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    net, data, _ = _random_net(8, width=4, depth=4)
    rng = random.Random(2)
    points = [
        [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(net.dims[0])]
        for _ in range(48)
    ]
    with distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        pids = map_chunks(_pid, 0, [[1], [2], [3], [4]], scheduler=cluster.scheduler_address)
        batch = realize_many(net, points, scheduler=cluster.scheduler_address, chunk_size=12)
    assert all(pid != os.getpid() for pid, _ in pids)
    for j, p in enumerate(points):
        assert _got(batch, j) == _expected(data, ref.relu, p)


def test_sweep_over_a_parameter():
    a = sympy.Symbol("a", real=True)
    # x_1 = r(a x + 1), x_2 = 2 x_1 - x_0 (skip (0, 2))
    net = ResNet(W=[[[a]], [[2]]], B=[[1], [0]], skips={(0, 2): [[-1]]}, names={"a": a})
    out = sweep(net, [2], [{"a": 0}, {"a": "1/2"}, {a: -3}, {"a": "sqrt(2)"}], workers=1)
    assert [out.strings(j) for j in range(3)] == [["0"], ["2"], ["-2"]]
    assert out[3] == sympy.Matrix([4 * sympy.sqrt(2)])
    values = [{"a": Fraction(j, 7)} for j in range(-20, 20)]
    spread = sweep(net, [2], values, workers=2)
    # x_2 = 2 r(2a + 1) - 2
    expected = [str(2 * max(2 * Fraction(j, 7) + 1, 0) - 2) for j in range(-20, 20)]
    assert [spread.strings(j)[0] for j in range(len(values))] == expected
    with pytest.raises(InputError, match="b is not a parameter"):
        sweep(net, [2], [{"b": 1}])


# -- the command line ----------------------------------------------------------------------------


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_points_csv(tmp_path, capsys):
    points = tmp_path / "pts.csv"
    points.write_text("# x_0\n-1\n1/2\n\n3\n0.5\n")
    code, out, err = _run(capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", str(points))
    assert (code, err) == (0, "")
    assert out.splitlines() == ["-7", "-22", "-47", "-22"]


def test_eval_points_jsonl_to_file(tmp_path, capsys):
    points = tmp_path / "pts.jsonl"
    points.write_text('[-1]\n{"input": [0.5]}\n"3"\n')
    target = tmp_path / "out.jsonl"
    code, out, _ = _run(
        capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", str(points), "-o", str(target)
    )
    assert (code, out) == (0, "")
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert rows == [
        {"schema": 1, "input": ["-1"], "output": ["-7"]},
        {"schema": 1, "input": ["1/2"], "output": ["-22"]},
        {"schema": 1, "input": ["3"], "output": ["-47"]},
    ]


def test_eval_points_refuses_to_overwrite_its_input(tmp_path, capsys):
    points = tmp_path / "pts.csv"
    points.write_text("-1\n3\n")
    spelled = tmp_path / "." / "pts.csv"  # the same file, written differently
    code, out, err = _run(
        capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", str(points), "-o", str(spelled)
    )
    assert (code, out) == (2, "") and "is the points file (--points)" in err
    assert points.read_text() == "-1\n3\n"


def test_eval_points_reads_a_byte_order_mark(tmp_path, capsys):
    points = tmp_path / "excel.csv"
    points.write_bytes(b"\xef\xbb\xbf-1\r\n3\r\n")  # as spreadsheets save UTF-8 CSV
    code, out, err = _run(capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", str(points))
    assert (code, err) == (0, "") and out.splitlines() == ["-7", "-47"]


def test_malformed_scheduler_address_is_exit_2(tmp_path, capsys):
    points = tmp_path / "pts.csv"
    points.write_text("-1\n3\n")
    code, out, err = _run(
        capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", str(points), "--scheduler", "foo"
    )
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--scheduler: not a Dask scheduler address 'foo'" in err


def test_eval_points_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("-1\n3\n"))
    code, out, _ = _run(capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", "-")
    assert (code, out.splitlines()) == (0, ["-7", "-47"])


def test_eval_points_two_dimensional_with_progress(tmp_path, capsys):
    spec = tmp_path / "net.toml"
    spec.write_text(
        '[[layers]]\nW = [[1, -1], [2, 0]]\nB = [0, 1]\n[[layers]]\nW = [[1, 2]]\nB = ["-1/2"]\n'
    )
    points = tmp_path / "pts.csv"
    points.write_text("1, 2\n-1/3, 0\n")
    code, out, err = _run(capsys, "eval", str(spec), "--points", str(points), "--progress")
    # by hand: (1, 2): z_1 = (-1, 3) -> x_1 = (0, 3), x_2 = 6 - 1/2; (-1/3, 0): x_1 = (0, 1/3) -> 1/6
    assert code == 0
    assert out.splitlines() == ["11/2", "1/6"]
    assert "symresnet: 2 points" in err


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.csv", "-1\n1,2\n", "bad.csv: line 2: expected 1 entry (l_0 = 1), got 2"),
        ("bad.csv", "-1\n\n1/0\n", "bad.csv: line 3, entry 1: division by zero"),
        ("bad.jsonl", "[-1]\n[1,\n", "bad.jsonl: line 2: not a JSON line"),
        ("bad.jsonl", "[NaN]\n", "bad.jsonl: line 1: not a JSON line: NaN is not an exact number"),
        (
            "bad.jsonl",
            '{"x": 1}\n',
            'bad.jsonl: line 1: not a JSON line: an object needs an "input"',
        ),
        ("empty.csv", "# nothing\n", "empty.csv: the points file has no points"),
        ("bad.dat", "1\n", "cannot tell the format of"),
    ],
)
def test_eval_points_errors_name_file_and_line(tmp_path, capsys, name, text, message):
    points = tmp_path / name
    points.write_text(text)
    code, out, err = _run(capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", str(points))
    assert (code, out) == (2, "")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_eval_points_format_and_json_options(tmp_path, capsys):
    points = tmp_path / "pts.dat"
    points.write_text("[-1]\n")
    code, out, _ = _run(
        capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", str(points), "--format", "jsonl"
    )
    assert code == 0 and json.loads(out)["output"] == ["-7"]
    points = tmp_path / "pts.csv"
    points.write_text("-1\n")
    code, out, _ = _run(
        capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", str(points), "--json"
    )
    assert code == 0 and json.loads(out) == {"schema": 1, "input": ["-1"], "output": ["-7"]}


def test_eval_needs_at_or_points(capsys):
    code, _, err = _run(capsys, "eval", os.path.join(ROOT, EXERCISE))
    assert code == 2 and "--at" in err and "--points" in err
    code, _, err = _run(
        capsys, "eval", os.path.join(ROOT, EXERCISE), "--points", "x.csv", "--workers", "0"
    )
    assert code == 2 and "--workers" in err
