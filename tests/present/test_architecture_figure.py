"""The architecture picture (symresnet.present.architecture): labels, elision, escaping, the
layout's invariants over random shapes, and compiling without flaws."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import architectures

from symresnet import ResNet
from symresnet.base.errors import RenderError
from symresnet.examples import example_path
from symresnet.io.spec import load_spec
from symresnet.present.architecture import (
    MAX_LAYERS,
    RADIUS,
    STEP,
    architecture_document,
    architecture_tikz,
    layout,
)
from symresnet.present.compile import compile_pdf
from symresnet.present.render import document

SKIP_LABEL = re.compile(r"\\node\[skiplabel[^\]]*\] at \([^)]*\) \{(.*)\};")
WIDTH_LABEL = re.compile(r"\{\$l_\{(\d+)\} = (\d+)\$\\\\ (input|hidden|output)\}")
NEURON = re.compile(r"\\node\[neuron, [^\]]*\] at \(([-0-9.]+),([-0-9.]+)\)")
OVERFULL = re.compile(r"Overfull \\[hv]box \(([0-9.]+)pt too (wide|high)\)")


def _zeros(dims, skips=None):
    L = len(dims) - 1
    return ResNet(
        W=[[[0] * dims[k - 1] for _ in range(dims[k])] for k in range(1, L + 1)],
        B=[[0] * dims[k] for k in range(1, L + 1)],
        skips=skips or {},
    )


def _flaws(log: str) -> list[str]:
    flaws = [m.group(0) for m in OVERFULL.finditer(log) if float(m.group(1)) > 0.5]
    return flaws + [line for line in log.splitlines() if "Warning" in line]


# -- the book's networks ---------------------------------------------------------------------


def test_exercise_1_5_1_names_both_skips_once_and_marks_the_identity(exercise):
    # S = {(0, 3), (1, 3)}; V_{0,3} = (1) = I_1, V_{1,3} = (3 -2) (MATH.md, Exercise 1.5.1)
    tikz = architecture_tikz(exercise)
    assert tikz.startswith(r"\begin{tikzpicture}") and tikz.rstrip().endswith(r"\end{tikzpicture}")
    assert SKIP_LABEL.findall(tikz) == ["$V_{0,3} = I$", "$V_{1,3}$"]
    assert WIDTH_LABEL.findall(tikz) == [
        ("0", "1", "input"),
        ("1", "2", "hidden"),
        ("2", "3", "hidden"),
        ("3", "1", "output"),
    ]
    for k in (1, 2, 3):
        assert tikz.count(f"{{$W_{{{k}}}$}}") == 1
    assert tikz.count(r"\draw[skip]") == 2
    assert r"\mathfrak{r}$ (relu) on the hidden layers" in tikz


def test_example_1_5_6_has_one_skip_that_is_not_the_identity(example):
    # S = {(0, 4)}, V_{0,4} = (-1); dims (1, 1, 2, 2, 1)
    tikz = architecture_tikz(example)
    assert SKIP_LABEL.findall(tikz) == ["$V_{0,4}$"]
    assert [(k, n) for k, n, _ in WIDTH_LABEL.findall(tikz)] == [
        ("0", "1"),
        ("1", "1"),
        ("2", "2"),
        ("3", "2"),
        ("4", "1"),
    ]
    assert len(NEURON.findall(tikz)) == 1 + 1 + 2 + 2 + 1
    assert "Definition 1.5.5" not in tikz  # no identity skip, so no word about I


def test_identity_means_the_identity_matrix():
    dims = [2, 2, 2, 2, 1]
    net = _zeros(
        dims,
        {
            (0, 2): "I",  # I_2
            (1, 3): [[1, 0], [0, 2]],  # square, not the identity
            (0, 3): [[0, 1], [1, 0]],  # a permutation, not the identity
            (2, 4): [[1, 0]],  # not square
        },
    )
    labels = SKIP_LABEL.findall(architecture_tikz(net))
    assert sorted(labels) == sorted(["$V_{0,2} = I$", "$V_{1,3}$", "$V_{0,3}$", "$V_{2,4}$"])
    fig = layout(net)
    assert {(a.r, a.k) for a in fig.arcs if a.identity} == {(0, 2)}


# -- wide layers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_neurons", "drawn"),
    [
        # widths (3, 64, 10, 2): a layer wider than N shows N - 1 neurons and the dots
        (7, [3, 6, 6, 2]),
        (10, [3, 9, 10, 2]),
        (3, [3, 2, 2, 2]),  # width 3 is not above 3
    ],
)
def test_wide_layers_are_elided_above_max_neurons(max_neurons, drawn):
    net = _zeros([3, 64, 10, 2])
    tikz = architecture_tikz(net, max_neurons=max_neurons)
    xs = [float(x) for x, _ in NEURON.findall(tikz)]
    columns = sorted(set(xs))
    assert [xs.count(x) for x in columns] == drawn
    elided = sum(1 for w in (3, 64, 10, 2) if w > max_neurons)
    assert tikz.count(r"{$\vdots$}") == elided
    assert [n for _, n, _ in WIDTH_LABEL.findall(tikz)] == ["3", "64", "10", "2"]
    fig = layout(net, max_neurons=max_neurons)
    assert fig.drawn_neurons == sum(drawn)
    wide = fig.columns[1]
    head = max_neurons - 1 - (max_neurons - 1) // 2
    assert [n.index for n in wide.neurons] == [
        *range(1, head + 1),
        *range(64 - (max_neurons - 1) // 2 + 1, 65),
    ]


@pytest.mark.parametrize("bad", [2, 101, 0, -3, True, 7.0, "7"])
def test_max_neurons_out_of_range_is_refused(exercise, bad):
    with pytest.raises(RenderError, match="max_neurons must be an integer from 3 to 100"):
        architecture_tikz(exercise, max_neurons=bad)


def test_too_deep_a_network_is_refused():
    with pytest.raises(RenderError, match=f"more than {MAX_LAYERS} is not readable"):
        layout(_zeros([1] * (MAX_LAYERS + 2)))


# -- free text -------------------------------------------------------------------------------


def test_a_hostile_title_is_escaped(exercise):
    title = r"\input{/etc/passwd} $x^2$ 100% #1 & {_~}"
    tikz = architecture_tikz(exercise, title=title)
    assert r"\input{" not in tikz and "$x^2$" not in tikz
    assert (
        r"\textbackslash{}input\{/etc/passwd\} \$x\textasciicircum{}2\$ 100\% \#1 \& "
        r"\{\_\textasciitilde{}\}" in tikz
    )


def test_the_activation_symbol_option_is_used(exercise):
    from symresnet.present.render import RenderOptions

    tikz = architecture_tikz(exercise, options=RenderOptions(activation_symbol="sigma"))
    assert r"activation $\sigma$ (relu)" in tikz


# -- the layout's invariants -----------------------------------------------------------------


def _crossing(a, b):
    (r1, k1), (r2, k2) = sorted((a, b))
    return r1 < r2 < k1 < k2


def _bipartite(skips) -> bool:
    colour: dict = {}
    for start in skips:
        if start in colour:
            continue
        colour[start] = 0
        stack = [start]
        while stack:
            a = stack.pop()
            for b in skips:
                if _crossing(a, b):
                    if b not in colour:
                        colour[b] = 1 - colour[a]
                        stack.append(b)
                    elif colour[b] == colour[a]:
                        return False
    return True


@settings(max_examples=60, deadline=None)
@given(architectures(), st.integers(3, 10))
def test_layout_invariants(shape, max_neurons):
    net, dims, skips, identities = shape
    fig = layout(net, max_neurons=max_neurons)
    # every skip drawn exactly once, labelled by its own indices, I exactly for the identities
    assert sorted((a.r, a.k) for a in fig.arcs) == sorted(skips)
    for a in fig.arcs:
        want = f"$V_{{{a.r},{a.k}}} = I$" if (a.r, a.k) in identities else f"$V_{{{a.r},{a.k}}}$"
        assert a.label == want
        assert a.identity == ((a.r, a.k) in identities)
    # columns: every width stated, at most max_neurons places, elision exactly above it
    assert [c.width for c in fig.columns] == dims
    for c, width in zip(fig.columns, dims, strict=True):
        assert len(c.neurons) == (width if width <= max_neurons else max_neurons - 1)
        assert (c.elided is None) == (width <= max_neurons)
        assert c.neurons[0].index == 1 and c.neurons[-1].index == width
    # arcs on one side whose closed spans share a column never run at the same height
    for i, a in enumerate(fig.arcs):
        for b in fig.arcs[i + 1 :]:
            if a.side == b.side and max(a.r, b.r) <= min(a.k, b.k):
                assert abs(a.height - b.height) >= STEP - 0.002, (a, b)
            inside = (a.r <= b.r and b.k <= a.k) or (b.r <= a.r and a.k <= b.k)
            if a.side == b.side and inside:  # the inner arc runs closer to the network
                inner, outer = (b, a) if a.r <= b.r and b.k <= a.k else (a, b)
                assert inner.distance < outer.distance
    # arcs clear the columns they pass, ends stay beside their columns, labels on their arcs
    for a in fig.arcs:
        assert a.side * a.height > 0
        for c in fig.columns[a.r : a.k + 1]:
            assert a.distance > c.top + RADIUS
        assert a.x_start > fig.columns[a.r].x and a.x_end < fig.columns[a.k].x
        assert a.x_start <= a.label_x <= a.x_end
        assert a.side * a.y_start < a.distance and a.side * a.y_end < a.distance
    ends = [(a.x_start, a.y_start) for a in fig.arcs] + [(a.x_end, a.y_end) for a in fig.arcs]
    assert len(set(ends)) == len(ends)  # no two arcs end at one point
    # crossing arcs go to opposite sides whenever that is possible at all
    if _bipartite(sorted(skips)):
        for a in fig.arcs:
            for b in fig.arcs:
                if _crossing((a.r, a.k), (b.r, b.k)):
                    assert a.side != b.side


# -- compiling -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example-1.5.6.toml", "exercise-1.5.1.toml", "wide-64.toml"])
def test_the_figures_compile_without_flaws(latex, name):
    spec = load_spec(example_path("exercise-1.5.1").parent / name)
    result = compile_pdf(architecture_document(spec.network, title=spec.title))
    assert result.pdf.startswith(b"%PDF")
    assert _flaws(result.log) == []


def test_a_hostile_title_and_many_skips_compile_without_flaws(latex):
    dims = [2, 5, 9, 9, 3, 3, 12, 4, 2, 2, 1]
    L = len(dims) - 1
    skips = {
        (r, k): "I" if dims[r] == dims[k] else None for k in range(2, L + 1) for r in (0, k - 2)
    }
    skips = {s: v if v else [[0] * dims[s[0]] for _ in range(dims[s[1]])] for s, v in skips.items()}
    net = _zeros(dims, skips)
    doc = architecture_document(net, title=r"\input{x} 50% {#} " + "long title " * 20)
    assert "transform shape" in doc  # too wide for a page at full size: scaled
    assert _flaws(compile_pdf(doc).log) == []


def test_a_derivation_with_the_figure_compiles_without_flaws(latex, exercise):
    from symresnet.compute.realization import realize

    tex = document(
        [realize(exercise, [-1]), realize(exercise, [2])], figure=architecture_tikz(exercise)
    )
    assert r"\usepackage{tikz}" in tex and tex.count(r"\begin{tikzpicture}") == 1  # once
    assert tex.index(r"\begin{tikzpicture}") > tex.index("V_{1,3} =")  # after the data
    assert tex.index(r"\begin{tikzpicture}") < tex.index("Throughout this")
    assert _flaws(compile_pdf(tex).log) == []


def test_a_wide_figure_adds_no_flaw_to_a_derivation(latex):
    from symresnet.compute.realization import realize

    # the derivation of so wide a network has overfull lines of its own (issue 13): the figure,
    # scaled to the text width, adds none
    wide = _zeros([2, 5, 9, 9, 3, 3, 12, 4, 2, 2, 1], {(0, 9): [[0, 0]] * 2, (1, 5): [[0] * 5] * 3})
    items = [realize(wide, [0, 0])]
    figure = architecture_tikz(wide)
    assert "transform shape" in figure
    with_figure = _flaws(compile_pdf(document(items, figure=figure)).log)
    assert with_figure == _flaws(compile_pdf(document(items)).log)


def test_without_a_figure_the_document_is_unchanged(exercise):
    from symresnet.compute.realization import realize

    items = [realize(exercise, [-1])]
    assert document(items) == document(items, figure=None)
    assert "tikz" not in document(items)
