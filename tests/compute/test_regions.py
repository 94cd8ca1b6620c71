"""Linear regions (symresnet.compute.regions): hand-derived Exercise 1.5.1, property tests against a
Fraction reference, the partition with Heaviside, errors and limits."""

from __future__ import annotations

import random
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regions_reference import RandomNet, affine, area, check_decomposition, inside, random_points

from symresnet import ResNet
from symresnet.base.errors import ActivationError, ClaimError, LimitError, NetworkError
from symresnet.compute.polyhedra import Polyhedron, parse_box
from symresnet.compute.regions import breakpoints, decompose, pieces_1d

# -- Exercise 1.5.1 on [-2, 1], by hand ---------------------------------------------------------
# x_1 = (r(x+3), r(2x+4)) = (x+3, 2x+4) on [-2, 1] (both >= 0 there).
# z_2 = (-(x+3) + 2(2x+4), 3(x+3) - 4(2x+4), -5(x+3) + 6(2x+4)) = (3x+5, -5x-7, 7x+9),
# zero at -5/3, -7/5, -9/7.  R(x) = -r(3x+5) + r(-5x-7) - r(7x+9) - 4 + x + 3(x+3) - 2(2x+4)
#                                = -r(3x+5) + r(-5x-7) - r(7x+9) - 3, so
#   [-2, -5/3]:   -5x - 10      [-5/3, -7/5]: -8x - 15
#   [-7/5, -9/7]: -3x - 8       [-9/7, 1]:   -10x - 17
EXERCISE_PIECES = [
    (F(-2), F(-5, 3), F(-5), F(-10)),
    (F(-5, 3), F(-7, 5), F(-8), F(-15)),
    (F(-7, 5), F(-9, 7), F(-3), F(-8)),
    (F(-9, 7), F(1), F(-10), F(-17)),
]


@pytest.mark.parametrize("method", ["vertex", "lp"])
def test_exercise_regions_by_hand(exercise, method):
    dec = decompose(exercise, parse_box("-2..1", 1), method=method)
    assert len(dec.regions) == 4
    assert breakpoints(dec) == (F(-5, 3), F(-7, 5), F(-9, 7))
    got = [(p.lo, p.hi, p.slope[0], p.intercept[0]) for p in pieces_1d(dec)]
    assert got == EXERCISE_PIECES
    # partition: the first piece is closed, the others (lo, hi]
    assert [(p.lo_closed, p.hi_closed) for p in pieces_1d(dec)] == [(True, True)] + [
        (False, True)
    ] * 3
    # the patterns: layer 1 both on; layer 2 by the signs of 3x+5, -5x-7, 7x+9
    patterns = sorted(r.pattern for r in dec.regions)
    assert patterns == sorted([((1, 1), p) for p in [(0, 1, 0), (1, 1, 0), (1, 0, 0), (1, 0, 1)]])
    for r in dec.regions:
        (lo, hi) = sorted([r.b[0] / r.A[0][0], r.b[1] / r.A[1][0]])
        assert lo < r.point[0] < hi


def test_heaviside_partition_has_the_point_piece():
    # h(x) + h(-x) is 1 except at 0, where it is 2 (Heaviside is 1 on [0, oo))
    net = ResNet(W=[[[1], [-1]], [[1, 1]]], B=[[0, 0], [0]], activation="heaviside")
    dec = decompose(net, Polyhedron.box([(-1, 1)]))
    assert dec.partition and len(dec.regions) == 2
    got = [(p.lo, p.hi, p.lo_closed, p.hi_closed, p.intercept[0]) for p in pieces_1d(dec)]
    assert got == [
        (F(-1), F(0), True, False, F(1)),
        (F(0), F(0), True, True, F(2)),
        (F(0), F(1), False, True, F(1)),
    ]
    assert breakpoints(dec) == (F(0),)


def test_merged_pieces_and_breakpoints_ignore_pattern_changes_without_map_change():
    # 0 r(x) + 0 r(-x) + x: the pattern changes at 0, the map (x -> x) does not
    net = ResNet(W=[[[1], [-1]], [[0, 0]]], B=[[0, 0], [0]], skips={(0, 2): [[1]]})
    dec = decompose(net, Polyhedron.box([(-1, 1)]))
    assert len(dec.regions) == 2
    assert [(p.lo, p.hi) for p in pieces_1d(dec)] == [(F(-1), F(1))]
    assert breakpoints(dec) == ()


# -- property tests on random small ResNets with random skips --------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from(["relu", "leaky", "clip"]))
def test_random_1d_nets_both_engines(seed, act):
    rn = RandomNet(seed, n0=1, act=act, out=2)
    bounds = [(F(-3), F(2))]
    a = decompose(rn.resnet(), Polyhedron.box(bounds), method="vertex")
    b = decompose(rn.resnet(), Polyhedron.box(bounds), method="lp")
    assert sum(area(r.vertices) for r in a.regions) == 5
    assert {r.pattern: (r.C, r.d) for r in a.regions} == {r.pattern: (r.C, r.d) for r in b.regions}
    check_decomposition(rn, b, bounds, seed)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6))
def test_engines_agree_in_the_plane(seed):
    rn = RandomNet(seed, n0=2, act="relu", depth=3, width=3)
    box = Polyhedron.box([(F(-1), F(1))] * 2)
    a = decompose(rn.resnet(), box, method="vertex")
    b = decompose(rn.resnet(), box, method="lp")
    assert {r.pattern: (r.C, r.d) for r in a.regions} == {r.pattern: (r.C, r.d) for r in b.regions}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6))
def test_heaviside_partition_against_reference(seed):
    rn = RandomNet(seed, n0=1, act="heaviside", depth=3, width=2)
    bounds = [(F(-2), F(2))]
    dec = decompose(rn.resnet(), Polyhedron.box(bounds))
    # every point lies in exactly one piece, whose map is the realization there
    pts = random_points(random.Random(seed), bounds, 30) + [p.point for p in dec.pieces]
    for x in pts:
        holding = [p for p in dec.pieces if inside(p, x)]
        assert len(holding) == 1
        out, pattern = rn.forward(x)
        assert holding[0].pattern == pattern
        assert affine(holding[0].C, holding[0].d, x) == out


def test_polyhedron_domain_triangle():
    rn = RandomNet(7, n0=2, act="relu", depth=3, width=3)
    tri = Polyhedron.from_inequalities([[-1, 0], [0, -1], [1, 1]], [0, 0, 1])  # x, y >= 0, x+y <= 1
    dec = decompose(rn.resnet(), tri)
    assert sum(area(r.vertices) for r in dec.regions) == F(1, 2)
    for r in dec.regions:
        assert tri.contains(r.point)


# -- errors, limits ------------------------------------------------------------------------------


def test_region_limit_and_activation_errors():
    rn = RandomNet(3, n0=2, act="relu", depth=3, width=4)
    with pytest.raises(LimitError, match="more than 2 regions"):
        decompose(rn.resnet(), Polyhedron.box([(-5, 5), (-5, 5)]), max_regions=2)
    smooth = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="tanh")
    with pytest.raises(ActivationError, match="piecewise-linear"):
        decompose(smooth, Polyhedron.box([(0, 1)]))
    irrational = ResNet(W=[[["sqrt(2)"]], [[1]]], B=[[0], [0]])
    with pytest.raises(NetworkError, match=r"; layers\[1\]\.W holds sqrt\(2\)"):
        decompose(irrational, Polyhedron.box([(0, 1)]))
    # an irrational bias or skip was an internal TypeError (found by trying issue 13's specs)
    for net, place in (
        (ResNet(W=[[[1]], [[1]]], B=[["sqrt(2)"], [0]]), r"layers\[1\]\.B"),
        (ResNet(W=[[[1]], [[1]]], B=[[0], [0]], skips={(0, 2): [["pi"]]}), r"skips V_\{0,2\}"),
    ):
        with pytest.raises(NetworkError, match=rf"biases and skip matrices; {place} holds"):
            decompose(net, Polyhedron.box([(0, 1)]))
    with pytest.raises(ClaimError, match=r"expected 1 interval \(l_0 = 1\), got 2"):
        decompose(smooth.replace(activation="relu"), Polyhedron.box([(0, 1), (0, 1)]))


# -- pictures ---------------------------------------------------------------------------------------


def test_picture_data_of_the_exercise(exercise):
    from symresnet.present.plot import picture

    pic = picture(decompose(exercise, parse_box("-2..1", 1)), title="Exercise 1.5.1")
    assert pic.breakpoint_labels == ("-5/3", "-7/5", "-9/7")
    # the graph's corners, by hand: (-2, 0), (-5/3, -5/3), (-7/5, -19/5), (-9/7, -29/7), (1, -27)
    corners = [(s.x0, s.y0) for s in pic.segments] + [(pic.segments[-1].x1, pic.segments[-1].y1)]
    expected = [(-2, 0), (-5 / 3, -5 / 3), (-7 / 5, -19 / 5), (-9 / 7, -29 / 7), (1, -27)]
    assert [c for xy in corners for c in xy] == pytest.approx([c for xy in expected for c in xy])
    assert all(s.closed0 and s.closed1 for s in pic.segments)  # continuous: no open ends


def test_picture_marks_jumps_with_heaviside():
    from symresnet.present.plot import picture

    net = ResNet(W=[[[1], [-1]], [[1, 1]]], B=[[0, 0], [0]], activation="heaviside")
    segs = picture(decompose(net, Polyhedron.box([(-1, 1)]))).segments
    # 1 on [-1, 0), 2 at 0, 1 on (0, 1]: the ends at 0 are open, the point is a closed dot
    assert [(s.x0, s.x1, s.y0, s.closed0, s.closed1) for s in segs] == [
        (-1, 0, 1, True, False),
        (0, 0, 2, True, True),
        (0, 1, 1, False, True),
    ]


def test_plot_and_tikz_files(tmp_path):
    pytest.importorskip("matplotlib")
    from symresnet.cli.main import main

    rn = RandomNet(11, n0=2, act="relu", depth=3, width=3)
    dec = decompose(rn.resnet(), Polyhedron.box([(-1, 1), (-1, 1)]))
    from symresnet.present.plot import save_plot, tikz

    png = save_plot(dec, tmp_path / "r.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = tikz(dec, title="random & net")
    assert text.count(r"\filldraw") == len(dec.regions) and r"random \& net" in text
    assert (
        main(
            [
                "regions",
                "symresnet/examples/exercise-1.5.1.toml",
                "--box",
                "-2..1",
                "--plot",
                str(tmp_path / "e.pdf"),
                "--tikz",
                str(tmp_path / "e.tex"),
            ]
        )
        == 0
    )
    assert (tmp_path / "e.pdf").read_bytes()[:4] == b"%PDF"
    assert r"\addplot" in (tmp_path / "e.tex").read_text()


def test_tikz_compiles(tmp_path):
    import os
    import shutil
    import subprocess

    have = (
        shutil.which("pdflatex")
        and shutil.which("kpsewhich")
        and subprocess.run(
            ["kpsewhich", "pgfplots.sty"], capture_output=True, text=True
        ).stdout.strip()
    )
    if not have:
        if os.environ.get("SYMRESNET_REQUIRE_LATEX"):
            pytest.fail("pdflatex with pgfplots (texlive-pictures) is required")
        pytest.skip("pdflatex with pgfplots (Debian texlive-pictures) not installed")
    from symresnet.present.plot import tikz

    rn = RandomNet(5, n0=2, act="relu", depth=3, width=3)
    for name, dec in (
        ("two", decompose(rn.resnet(), Polyhedron.box([(-1, 1), (-1, 1)]))),
        ("one", decompose(RandomNet(2, n0=1).resnet(), Polyhedron.box([(-1, 1)]))),
    ):
        (tmp_path / f"{name}.tex").write_text(tikz(dec, title=name))
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", f"{name}.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout[-2000:]
        assert (tmp_path / f"{name}.pdf").exists()


def test_regions_of_a_network_with_parameters_is_a_clear_error(capsys):
    # parameters in B and V (tests/data/study-two-linear.toml) used to end in an internal error
    from symresnet.cli.main import main

    spec = Path(__file__).parents[1] / "data" / "study-two-linear.toml"
    assert main(["regions", str(spec), "--box", "-4..1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "linear regions are computed for networks without parameters; this one has b, v" in err
