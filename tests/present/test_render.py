"""LaTeX derivations through the templates: golden files for the book's Example 1.5.6 and
Exercise 1.5.1, every verdict, options, injection (one's own templates: test_templates.py).

Golden files: ``tests/golden/*.tex``.  After an intended change of the output, regenerate
them with ``SYMRESNET_REGEN_GOLDEN=1 pytest tests/present/test_render.py`` and compare the diff line
by line with the book before committing.  The substrings asserted below are written by hand
from the book, independently of the golden files.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest
import sympy
from conftest import EXAMPLE_B, EXAMPLE_W
from random_networks import networks

from symresnet import ResNet, check, realize
from symresnet.base.errors import RenderError
from symresnet.claims.point import PointClaim, verdict_at
from symresnet.claims.verdict import Verdict
from symresnet.cli.demo import BOOK_NUMBERS
from symresnet.examples import example_text
from symresnet.explain.tree import DerivationOptions
from symresnet.io.spec import loads_spec
from symresnet.present.latex import Latex
from symresnet.present.render import RenderOptions, document, fragment, views

GOLDEN = Path(__file__).parents[1] / "golden"


def flat(tex: str) -> str:
    """The LaTeX with the line breaks of split equations removed (so the asserted formulas do
    not depend on where a long line breaks)."""
    return tex.replace(" \\\n&", " ").replace("&=", "=")


def book_document(name: str) -> str:
    """The demo's derivation of a built-in example, numbered as in the book."""
    spec = loads_spec(example_text(name), format="toml")
    verdicts = [verdict_at(c, realize(spec.network, c.input)) for c in spec.claims]
    return document(
        verdicts, title=spec.title, options=RenderOptions(first_equation=BOOK_NUMBERS[name])
    )


@pytest.mark.parametrize("name", ["example-1.5.6", "exercise-1.5.1"])
def test_golden(name):
    tex = book_document(name)
    path = GOLDEN / f"{name}.tex"
    if os.environ.get("SYMRESNET_REGEN_GOLDEN") == "1":
        path.write_text(tex, encoding="utf-8")
    assert tex == path.read_text(encoding="utf-8"), (
        f"{path} differs: regenerate (see module docstring)"
    )


def test_example_1_5_6_reads_like_the_book():
    tex = flat(book_document("example-1.5.6"))
    # (1.156): x_4 = M_{id,1}(W_4 x_3 + B_4 + V_{0,4} x_0) = M_{id,1}((2 2)(5; 11) + (1) + (-1)(5)) = 28
    assert (
        r"x_{4} = \mathfrak{M}_{\mathrm{id}_{\mathbb{R}},1}(W_{4} x_{3} + B_{4} + V_{0,4} x_{0})"
        in tex
    )
    assert (
        r"\begin{pmatrix}2 & 2\end{pmatrix}\begin{pmatrix}5 \\ 11\end{pmatrix} + \begin{pmatrix}1\end{pmatrix}"
        r" + \begin{pmatrix}-1\end{pmatrix}\begin{pmatrix}5\end{pmatrix}"
    ) in tex
    assert r"= \mathfrak{M}_{\mathrm{id}_{\mathbb{R}},1}(28) = 28." in tex
    # (1.154)
    assert (
        r"x_{2} = \mathfrak{M}_{\mathfrak{r},2}(W_{2} x_{1} + B_{2}) = \mathfrak{M}_{\mathfrak{r},2}\left("
        r"\begin{pmatrix}1 \\ 2\end{pmatrix}\begin{pmatrix}5\end{pmatrix} + \begin{pmatrix}0 \\ 1\end{pmatrix}\right)"
    ) in tex
    # the book's numbers, and "This and (1.152) establish (1.150)."
    for n in range(146, 157):
        assert rf"\tag{{1.{n}}}" in tex
    assert r"\tag{1.150}\label{srn:5}" in tex and r"\tag{1.152}\label{srn:7}" in tex
    assert r"This and \eqref{srn:7} establish \eqref{srn:5}." in tex
    assert r"\textit{Proof for Example 1.5.6.}" in tex
    assert r"$S = \{(0, 4)\}$" in tex
    assert r"V_{0,4} = \begin{pmatrix}-1\end{pmatrix}." in tex


def test_exercise_1_5_1_reads_like_the_book():
    tex = flat(book_document("exercise-1.5.1"))
    assert r"x_{2} = \mathfrak{M}_{\mathfrak{r},3}(W_{2} x_{1} + B_{2})" in tex
    assert (
        r"\mathfrak{M}_{\mathfrak{r},3}\left(\begin{pmatrix}2 \\ -2 \\ 2\end{pmatrix}\right)"
        r" = \begin{pmatrix}2 \\ 0 \\ 2\end{pmatrix}"
    ) in tex
    assert r"= \mathfrak{M}_{\mathrm{id}_{\mathbb{R}},1}(-7) = -7." in tex
    assert "Prove or disprove the following statement: It holds that" in tex
    assert r"\tag{1.161}\label{srn:5}" in tex
    assert r"This disproves \eqref{srn:5}: the value is $-7$, not $0$." in tex
    assert r"(-1) = -7 \neq 0" in tex
    assert (
        r"V_{0,3} = \begin{pmatrix}1\end{pmatrix}\qquad \text{and}\qquad V_{1,3} = \begin{pmatrix}3 & -2\end{pmatrix}."
        in tex
    )


def _exercise_net():
    spec = loads_spec(example_text("exercise-1.5.1"), format="toml")
    return spec.network


@pytest.mark.parametrize(
    ("relation", "value", "expected"),
    [
        ("at_most", -5, [r"\leq -5", "This establishes"]),
        ("at_least", 0, [r"\ngeq 0", "the value is $-7$, which is less than $0$."]),
        ("at_most", -8, [r"\nleq -8", "the value is $-7$, which is greater than $-8$."]),
        ("greater", -7, [r"\ngtr -7", "which is not greater than $-7$."]),
        ("less", -7, [r"\nless -7", "which is not less than $-7$."]),
        ("equals", -7, [r"This and \eqref{srn:7} establish \eqref{srn:5}."]),
    ],
)
def test_every_relation_reads_naturally(relation, value, expected):
    tex = fragment(check(_exercise_net(), input=[-1], **{relation: [value]}, label="c"))
    for text in expected:
        assert text in tex


def test_vector_outputs():
    net = ResNet(W=[[[1], [-1], [2]]], B=[[0, 0, 1]])
    tex = fragment(check(net, input=[2], at_least=[0, 0, 0]))
    assert r"entry 2 of the value is $-2$, which is less than $0$." in tex
    assert (
        r"\begin{pmatrix}2 \\ -2 \\ 5\end{pmatrix} \ngeq \begin{pmatrix}0 \\ 0 \\ 0\end{pmatrix}"
        in tex
    )
    tex = fragment(realize(net, [2]))
    assert "\\[\n" + r"\bigl(\mathcal{R}" in tex  # a vector result is displayed, not inline


def test_parameter_dependent_claim():
    a = sympy.Symbol("a", real=True)
    net = ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips={(0, 4): [[a]]})
    tex = fragment(check(net, input=[5], equals=[28], label="1.150"))
    assert "holds if and only if the parameters satisfy $" in tex
    assert re.search(r"satisfy \$(a = -1|5 a \+ 33 = 28)\$", tex) and "= 5 a + 33$." in tex
    assert r"\mathcal{R}" in tex and "let $a \\in \\mathbb{R}$" in tex.replace("Let", "let")


def test_undecided_claim():
    trace = realize(ResNet(W=EXAMPLE_W, B=EXAMPLE_B, activation="tanh"), [5])
    verdict = Verdict(
        PointClaim(input=trace.input, expected=sympy.ImmutableMatrix([3])),
        trace,
        "undecided",
        (None,),
        note="50% sure",
    )
    tex = fragment(verdict)
    assert (
        r"could not be decided exactly (50\% sure); numerically the value is approximately $" in tex
    )


def test_evaluation_without_claim():
    tex = fragment(realize(_exercise_net(), [2]), title="At two")
    assert r"Compute $\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)(2)$" in tex
    assert "establish that $" in tex and r"\section*{At two}" in tex


EVIL = r"\input{/etc/passwd} \write18{touch x} {unbalanced % # $ ~ ^ \\ & _"


def test_free_text_is_escaped_everywhere():
    net = _exercise_net()
    tex = document(check(net, input=[-1], equals=[0], label=EVIL), title=EVIL)
    for live in (r"\input{", r"\write18{"):
        assert live not in tex
    assert not re.search(r"(?<!\\)\{unbalanced", tex)
    escaped = r"\textbackslash{}input\{/etc/passwd\} \textbackslash{}write18\{touch x\} \{unbalanced \% \# \$"
    assert tex.count(escaped) >= 3  # title, proof heading, tag
    live_braces = tex.replace(r"\{", "").replace(r"\}", "")
    assert live_braces.count("{") == live_braces.count("}")


def _strings(obj, path="view"):
    if isinstance(obj, str):
        yield path, obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _strings(getattr(obj, f.name), f"{path}.{f.name}")
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _strings(item, f"{path}[{i}]")


def test_templates_receive_only_latex():
    items = [
        check(_exercise_net(), input=[-1], equals=[0], label=EVIL),
        realize(_exercise_net(), [2]),
    ]
    for path, s in _strings(views(items, title=EVIL)):
        if path.endswith((".status", ".relation", ".activation_name")):
            assert re.fullmatch(r"[a-z_]+", s), (path, s)
        else:
            assert isinstance(s, Latex), (path, s)


def test_options():
    v = check(_exercise_net(), input=[-1], equals=[0])
    tex = document(v, options=RenderOptions(first_equation="2.09"))
    assert r"\tag{2.09}" in tex and r"\tag{2.10}" in tex and r"\tag{2.14}" in tex
    tex = document(
        v, options=RenderOptions(fraktur=False, activation_symbol="sigma", label_prefix="ex")
    )
    assert r"\mathfrak{M}" not in tex and r"M_{\sigma,3}" in tex and r"\label{ex:1}" in tex
    tex = document(v, options=RenderOptions(display=False))
    assert r"\begin{equation}" not in tex and r"\refstepcounter{equation}" in tex
    with pytest.raises(RenderError, match="end in the digits 0-9"):
        RenderOptions(first_equation="A")
    for look_alike in ("\u09ea", "1.\u0663", "\uff17"):  # Bengali 4, Arabic-Indic 3, full-width 7
        with pytest.raises(RenderError, match="end in the digits 0-9"):
            RenderOptions(first_equation=look_alike)
    with pytest.raises(RenderError, match="not accepted"):
        document(v, options=RenderOptions(activation_symbol=r"\input{x}"))


def test_jupyter_repr():
    trace = realize(_exercise_net(), [-1])
    out = trace._repr_latex_()
    assert out.startswith("$$\\begin{aligned}") and r"x_{2} &= \mathfrak{M}_{\mathfrak{r},3}" in out
    out = check(_exercise_net(), input=[-1], equals=[0], label="1.161")._repr_latex_()
    assert (
        r"(1.161) is false: $\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)(-1) = -7 \neq 0$."
        in out
    )
    out = check(_exercise_net(), input=[-1], at_most=[0])._repr_latex_()
    assert (
        r"The claim holds: $\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)(-1) = -7 \leq 0$."
        in out
    )


def test_random_networks_render():
    for net, x0 in networks():
        tex = fragment(realize(net, x0))
        assert r"\mathfrak{M}_{\mathrm{id}_{\mathbb{R}}," in tex  # the output layer
        assert tex.count(r"\begin{equation}") >= 3 + net.L


def test_first_equation_numbers_have_no_holes_around_a_claim_label():
    """A claim's label tags its statement; the numbered equations around it go on 3.1, 3.2,
    3.3, ... (it was 3.1, 3.2, (A1), 3.4: the label used up a number)."""
    net = ResNet(W=[[[1], [2]], [[1, 1]]], B=[[3, 4], [0]])
    tex = document(
        check(net, input=[1], equals=[11], label="A1"),
        options=RenderOptions(first_equation="3.1"),
    )
    tags = re.findall(r"\\tag\{([^}]*)\}", tex)
    assert "A1" in tags
    numbers = [t for t in tags if t != "A1"]
    assert len(numbers) >= 3
    assert numbers == [f"3.{n}" for n in range(1, len(numbers) + 1)]


def test_first_equation_numbers_have_no_holes_in_a_region_proof():
    """A box proof by regions prints no layer-by-layer steps: their equations take no numbers
    (it was 3.1, 3.2, 3.7, ...: the unprinted recursion and steps used up 3.3-3.6)."""
    spec = loads_spec(
        "dims = [2, 2, 1]\n[[layers]]\nW = [[1, -1], [2, 1]]\nB = [0, 0]\n"
        "[[layers]]\nW = [[1, 1]]\nB = [1]\n"
        '[[claims]]\nlabel = "F"\nforall = [[0, 1], [0, 2]]\nat_most = [10]\n'
        '[[claims]]\nlabel = "G"\nforall = [[0, 1], [0, 2]]\nat_least = [0]\n'
    )
    verdicts = [c.decide(spec.network) for c in spec.claims]
    tex = document(verdicts, options=RenderOptions(first_equation="3.1"))
    numbers = re.findall(r"\\tag\{(3\.[0-9]+)\}", tex)
    assert len(numbers) >= 4  # two of each proof
    assert numbers == [f"3.{n}" for n in range(1, len(numbers) + 1)]
    for key in re.findall(r"\\eqref\{([^}]*)\}", tex):  # every reference is to a printed label
        assert rf"\label{{{key}}}" in tex


def test_brackets_grow_around_a_display_fraction():
    """``M\\left(\\frac{967}{630}\\right)``: plain parentheses are smaller than a display fraction;
    around an integer they stay plain.  x_1 = max(877/210 / 3 + 1/7, 0) = 967/630 by hand."""
    net = ResNet(W=[[["1/3"]], [[1]]], B=[["1/7"], [0]])
    tex = document(realize(net, ["877/210"]))
    assert r"\mathfrak{M}_{\mathfrak{r},1}\left(\frac{967}{630}\right)" in tex
    assert r"(\frac{" not in tex.replace(r"\left(\frac{", "")
    whole = document(realize(ResNet(W=[[[2]], [[1]]], B=[[1], [0]]), [3]))
    assert r"\mathfrak{M}_{\mathfrak{r},1}(7)" in whole


def test_a_vector_input_is_displayed_not_inline():
    """``x_0 = (1; 2)`` inline spreads the lines apart: for l_0 >= 2 it gets a display of its
    own; a number stays inline."""
    tex = document(realize(ResNet(W=[[[1, 2]], [[1]]], B=[[1], [0]]), [1, 2]))
    assert "that \\[\nx_{0} = \\begin{pmatrix}1 \\\\ 2\\end{pmatrix}\n\\] and" in tex
    assert "$x_{0} = \\begin{pmatrix}" not in tex
    scalar = document(realize(ResNet(W=[[[2]], [[1]]], B=[[1], [0]]), [3]))
    assert "that $x_{0} = 3$ and" in scalar


def test_long_definitions_are_displayed_and_short_ones_inline():
    """``where z_{2,1} := ...``: inline while the definitions fit a line of text, an ``aligned``
    display (broken before a sign) once they would take more (they ran 4-24pt into the margin).

    A symbolic input is derived piece by piece (no definitions); the definitions are printed by
    the closed form (``piecewise=False``), as for claims with parameters."""
    x = sympy.Symbol("x", real=True)
    net = ResNet(
        W=[[[4], [sympy.Rational(3, 7)], [-6]], [[1, sympy.Rational(5, 7), 3], [-6, -1, 2]]],
        B=[[sympy.Rational(-2, 5), sympy.Rational(4, 3), 1], [5, 4]],
    )
    assert ":=" not in document(realize(net, [x]))  # piece by piece: each piece is affine
    closed = RenderOptions(derivation=DerivationOptions(piecewise=False))
    long_tex = document(realize(net, [x]), options=closed)
    assert "where\n\\[\n\\begin{aligned}\nz_{2,1} &:=" in long_tex
    assert "where $z_{" not in long_tex
    short = ResNet(W=[[[1], [2]], [[1, -1], [2, 1]], [[1, 1]]], B=[[0, 1], [0, 0], [0]])
    short_tex = document(realize(short, [x]), options=closed)
    assert "where $z_{3,1} := " in short_tex
    assert "\\begin{aligned}" not in short_tex
