"""Pictures of regions (``symresnet.present.plot``): user text is shown literally, boxes of any
exact size draw, and a box with no area is refused with one clear line (issue 16)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hostile_run import run_cli

from symresnet.base.errors import RenderError
from symresnet.compute.polyhedra import Polyhedron, parse_box
from symresnet.compute.regions import decompose
from symresnet.examples import example_path
from symresnet.io.spec import load_spec
from symresnet.model.network import ResNet
from symresnet.present import plot
from symresnet.present.plot import Axis, check_drawable, short_number

#: a 2-D network: R(x) = relu(x_1 - x_2) + relu(x_1 + x_2)
TWO_D = """\
activation = "relu"
dims = [2, 2, 1]

[[layers]]
W = [[1, -1], [1, 1]]
B = [0, 0]

[[layers]]
W = [[1, 1]]
B = [0]
"""

#: titles that matplotlib's mathtext cannot parse (ValueError), or that recurse too deeply
HOSTILE_TITLES = {
    "unclosed-frac": r"$\frac{1}{$",
    "input": r"$\input{x}$",
    "many-dollars": "$" * 1999,
    "superscripts": "$a" + "^{a" * 499 + "}" * 499 + "$",  # 1,999 characters, 499 deep
    "flat-superscripts": "$x" + "^x" * 998 + "$",  # 1,999 characters
    "unicode": "😀 中文 עברית \u0301x ∑ $\\alpha$",
    "long-words": "mathtext $x$ " * 150,
    # matplotlib's wrap=True measured this as mathtext despite parse_math=False
    "mixed": r"$\frac{1}{$ and $\input{x}$ a^{b^{c}}",
}


def _spec(path: Path, title: str, body: str = TWO_D) -> Path:
    """A spec file whose title is ``title`` (a TOML literal string: written as typed)."""
    assert "'" not in title and "\n" not in title
    path.write_text(f"title = '{title}'\n{body}", encoding="utf-8")
    return path


def _one_d_body() -> str:
    text = example_path("example-1.5.6").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("title"))


def _wrote_only(run, *paths: Path) -> None:
    """Exit 0 and nothing on stderr but the ``wrote`` lines: no warning, no traceback."""
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stderr.splitlines() == [f"symresnet: wrote {p.name}" for p in paths], run.stderr
    for p in paths:
        assert p.stat().st_size > 0


# -- exact numbers as short text ---------------------------------------------------------------


def test_short_numbers_are_exact_when_short_and_rounded_when_not():
    assert short_number(Fraction(-5, 3)) == ("-5/3", "-5/3")
    assert short_number(Fraction(0)) == ("0", "0")
    assert short_number(Fraction(10**400)) == ("≈1.00e400", r"\approx 1.00\cdot 10^{400}")
    assert short_number(Fraction(-1, 10**400)) == ("≈-1.00e-400", r"\approx -1.00\cdot 10^{-400}")
    # 2/3 * 10^-20 = 6.666...e-21; 0.99996 * 10^30 rounds up to the next power of ten
    assert short_number(Fraction(2, 3 * 10**20))[0] == "≈6.67e-21"
    assert short_number(Fraction(99996, 10**5) * 10**30)[0] == "≈1.00e30"
    assert short_number(Fraction(123456789012345, 7))[0] == "≈1.76e13"


def test_short_numbers_never_print_huge_integers():
    # Python refuses str() of ints over 4,300 digits (the API keeps that limit)
    assert sys.get_int_max_str_digits() in (0, 4300)
    big = Fraction(7 * 10**6000 + 1, 3)
    assert short_number(big)[0] == "≈2.33e6000"


# -- exact axes ------------------------------------------------------------------------------------


def test_axis_maps_any_exact_size_onto_the_unit_interval():
    huge = Axis.fit(Fraction(0), Fraction(10**400))
    assert huge.unit(Fraction(10**400, 4)) == 0.25
    tiny = Axis.fit(Fraction(0), Fraction(1, 10**400))
    assert tiny.unit(Fraction(3, 4 * 10**400)) == 0.75
    padded = Axis.fit(Fraction(-(10**400)), Fraction(10**400), pad=True)
    # view [-1.1, 1.1] * 10^400: the data ends at 1/22 and 21/22
    assert padded.unit(Fraction(-(10**400))) == pytest.approx(1 / 22)
    assert padded.unit(Fraction(10**400)) == pytest.approx(21 / 22)


def test_ticks_label_the_exact_ends():
    ticks = Axis.fit(Fraction(-1), Fraction(1)).ticks()
    assert [(t.at, t.text) for t in ticks] == [
        (0.0, "-1"),
        (0.25, "-1/2"),
        (0.5, "0"),
        (0.75, "1/2"),
        (1.0, "1"),
    ]


def test_ticks_that_would_look_alike_show_offsets():
    lo = Fraction(10**400)
    ticks = Axis.fit(lo, lo + 1).ticks()
    assert [t.text for t in ticks] == ["≈1.00e400", "+1/4", "+1/2", "+3/4", "+1"]
    assert ticks[1].latex == "+1/4"


# -- user text is shown literally ----------------------------------------------------------------


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("key", sorted(HOSTILE_TITLES))
def test_hostile_titles_are_drawn_literally(key, tmp_path):
    pytest.importorskip("matplotlib")
    title = HOSTILE_TITLES[key]
    assert len(title) <= 2000
    spec = load_spec(_spec(tmp_path / "t.toml", title))
    assert spec.title == title
    dec = decompose(spec.network, parse_box("-1..1, -1..1", 2))
    fig = plot.figure(dec, title=spec.title)
    suptitle = fig._suptitle
    assert suptitle is not None
    # the title as typed, broken into lines where it is too long: the same characters apart
    # from the white space at the breaks
    shown = suptitle.get_text()
    assert "".join(shown.split()) == "".join(title.split())
    assert suptitle.get_parse_math() is False and suptitle.get_usetex() is False
    out = plot.save_plot(dec, tmp_path / "t.png", title=spec.title)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the same in 1-D, where the breakpoints are annotated too
    one = load_spec(_spec(tmp_path / "one.toml", title, _one_d_body()))
    plot.save_plot(decompose(one.network, parse_box("-2..1", 1)), tmp_path / "one.png", title=title)


@pytest.mark.parametrize("key", ["unclosed-frac", "superscripts", "many-dollars"])
def test_regions_plot_with_hostile_title_from_the_command_line(key, tmp_path):
    pytest.importorskip("matplotlib")
    _spec(tmp_path / "t.toml", HOSTILE_TITLES[key])
    run = run_cli(
        ["regions", "t.toml", "--box", "0..1, -1..1", "--plot", "t.png", "--tikz", "t.tex"],
        cwd=tmp_path,
        env={"PYTHONWARNINGS": "error"},
    )
    _wrote_only(run, tmp_path / "t.png", tmp_path / "t.tex")
    assert run.stdout.startswith(HOSTILE_TITLES[key])


# -- boxes of any exact size ---------------------------------------------------------------------

_COORD = re.compile(r"axis cs:([^,)]+),([^)]+)\)")


def _coordinates(tex: str) -> list[tuple[str, str]]:
    return _COORD.findall(tex) + re.findall(r"\(([-\d.]+),([-\d.]+)\) \(", tex)


@pytest.mark.parametrize(
    ("box", "dim"),
    [
        ("0..10^400, 0..1", 2),
        ("0..10^-400, -10^-400..0", 2),
        ("10^400..10^400+1, 1/3..1/2", 2),
        ("-10^400..10^400", 1),
        ("0..10^-400", 1),
    ],
)
def test_huge_and_tiny_boxes_draw(box, dim, tmp_path):
    pytest.importorskip("matplotlib")
    body = TWO_D if dim == 2 else _one_d_body()
    _spec(tmp_path / "t.toml", "box", body)
    run = run_cli(
        ["regions", "t.toml", "--box", box, "--plot", "t.png", "--tikz", "t.tex"],
        cwd=tmp_path,
        env={"PYTHONWARNINGS": "error"},
    )
    _wrote_only(run, tmp_path / "t.png", tmp_path / "t.tex")
    tex = (tmp_path / "t.tex").read_text(encoding="utf-8")
    coords = _coordinates(tex)
    assert coords
    for pair in coords:
        for c in pair:
            # computed coordinates have four decimals (the axis ends are written 0 and 1)
            assert re.fullmatch(r"[01]\.\d{4}|[01]", c), c
            assert 0 <= float(c) <= 1


def test_the_corners_of_a_huge_box_are_the_unit_square(tmp_path):
    net = load_spec(_spec(tmp_path / "t.toml", "x")).network
    big = 10**400
    dec = decompose(net, Polyhedron.box([(0, big), (-big, 0)]))
    pic = plot.picture(dec)
    corners = {(pic.x.unit(x), pic.y.unit(y)) for p in pic.polygons for x, y in p.corners}
    assert {(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)} <= corners
    assert [t.text for t in pic.x.ticks()][::4] == ["0", "≈1.00e400"]
    assert [t.text for t in pic.y.ticks()][::4] == ["≈-1.00e400", "0"]
    # the box is 1:1, so the picture is square
    assert pic.aspect == 1.0
    tex = plot.tikz(dec, title="huge")
    assert r"\approx 1.00\cdot 10^{400}" in tex


def test_tikz_of_a_huge_box_compiles(tmp_path):
    if not (shutil.which("pdflatex") and shutil.which("kpsewhich")):
        pytest.skip("pdflatex not installed")
    have = subprocess.run(["kpsewhich", "pgfplots.sty"], capture_output=True, text=True)
    if not have.stdout.strip():
        pytest.skip("pgfplots (Debian texlive-pictures) not installed")
    net = load_spec(_spec(tmp_path / "t.toml", "x")).network
    dec = decompose(net, parse_box("10^400..10^400+1, -1/3..10^-400", 2))
    (tmp_path / "big.tex").write_text(plot.tikz(dec, title=r"$\frac{1}{$ & 10^400"))
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "big.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "Dimension too large" not in run.stdout
    assert (tmp_path / "big.pdf").read_bytes()[:4] == b"%PDF"


# -- boxes with no area --------------------------------------------------------------------------


def test_a_box_of_zero_width_has_no_picture():
    net = ResNet(W=[[[1, -1]], [[1]]], B=[[0], [0]], activation="relu")
    box = parse_box("0..1, 2..2", 2)
    with pytest.raises(RenderError) as err:
        check_drawable(box)
    assert str(err.value) == (
        "--box: the box [0, 1] x [2, 2] has zero width in coordinate 2; "
        "plots need a box with positive width in every coordinate"
    )
    # regions and claims take it: the realization on the segment is still exact
    dec = decompose(net, box)
    assert all(not r.full_dimensional for r in dec.pieces)
    with pytest.raises(RenderError, match="zero width in coordinate 2"):
        plot.picture(dec)


def test_regions_without_a_picture_take_a_box_of_zero_width(tmp_path):
    _spec(tmp_path / "t.toml", "flat")
    run = run_cli(["regions", "t.toml", "--box", "1..1, 0..1"], cwd=tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "min R_1 = 2 at x = (1, 0)" in run.stdout  # R(1, x_2) = 2 for 0 <= x_2 <= 1


def test_zero_width_is_refused_before_the_regions_are_computed(tmp_path, monkeypatch, capsys):
    from symresnet.cli import regions as cli_regions
    from symresnet.cli.main import main

    def never(*args, **kwargs):
        raise AssertionError("decompose ran")

    monkeypatch.setattr(cli_regions, "decompose", never)
    _spec(tmp_path / "t.toml", "flat")
    code = main(
        [
            "regions",
            str(tmp_path / "t.toml"),
            "--box",
            "0..0, -1..1",
            "--tikz",
            str(tmp_path / "t.tex"),
        ]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "symresnet: error: --box: the box [0, 0] x [-1, 1] has zero width in coordinate 1; "
        "plots need a box with positive width in every coordinate\n"
    )
    assert not (tmp_path / "t.tex").exists()
