"""A varied set of objects that Jupyter displays (``_repr_latex_``), for the display tests:
traces (numbers, fractions, a symbolic input, random networks of every activation), point
verdicts (holds, false, vector-valued), parameter verdicts (one and two parameters), box
verdicts (forall/exists, true/false, one and two input coordinates), failures (with text
MathJax would misread) and symbolic realizations as exact pieces.

Networks are written out here (or loaded from the shipped examples by path), so a change of
the engine cannot silently shrink the set.
"""

from __future__ import annotations

from pathlib import Path

import sympy
from conftest import EXAMPLE_B, EXAMPLE_SKIPS, EXAMPLE_W, EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W
from random_networks import networks

from symresnet import ResNet, check, check_box, check_spec, load_spec, realization_pieces, realize
from symresnet.base.errors import InputError
from symresnet.claims.point import PointClaim
from symresnet.claims.verdict import Failure
from symresnet.values.relations import Relation

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "symresnet" / "examples"
DATA = Path(__file__).parent / "data"


def _nets():
    example = ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips=EXAMPLE_SKIPS, activation="relu")
    exercise = ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS, activation="relu")
    # two inputs, two outputs, fractions, leaky ReLU
    plane = ResNet(
        W=[[[1, "-1/2"], ["2/3", 1]], [[1, -1], ["1/7", 2]]],
        B=[[0, "1/3"], [-1, 0]],
        skips={(0, 2): [[1, 0], [0, "-3/2"]]},
        activation={"name": "leaky_relu", "gamma": "1/10"},
    )
    return example, exercise, plane


def display_objects() -> list[tuple[str, object]]:
    """``(name, object)`` pairs, every object with a ``_repr_latex_``."""
    example, exercise, plane = _nets()
    x = sympy.Symbol("x", real=True)
    out: list[tuple[str, object]] = [
        ("trace example 1.5.6", realize(example, [5])),
        ("trace exercise 1.5.1", realize(exercise, [-1])),
        ("trace plane", realize(plane, ["1/2", -3])),
        ("trace symbolic x", realize(exercise, [x])),
    ]
    out += [(f"trace random {i}", realize(net, x0)) for i, (net, x0) in enumerate(networks(12))]
    out += [
        ("verdict holds", check(example, input=[5], equals=[28], label="1.150")),
        ("verdict false", check(exercise, input=[-1], equals=[0], label="1.161")),
        ("verdict at_least vector", check(plane, input=[0, 0], at_least=[-2, -2])),
        ("verdict less vector false", check(plane, input=[1, 1], less=[0, 0])),
    ]
    for path in (
        EXAMPLES / "study-1.5.1-a.toml",
        DATA / "study-two-linear.toml",
        DATA / "study-two-nonlinear.toml",
    ):
        report = check_spec(load_spec(str(path)))
        out += [(f"{path.stem} {i}", v) for i, v in enumerate(report.verdicts)]
    boxes = [
        dict(forall=[[-2, 1]], at_most=0),
        dict(forall=[[-2, 1]], less=0),
        dict(exists=[[-4, 0]], equals=-7),
        dict(exists=[[-4, 0]], greater=0),
    ]
    out += [(f"box exercise {kw}", check_box(exercise, **kw)) for kw in boxes]
    out += [
        ("box plane forall", check_box(plane, forall=[[-1, 1], [0, 2]], at_least=[-20, -20])),
        ("box plane exists", check_box(plane, exists=[[-1, 1], [0, 2]], greater=[1, 1])),
        ("box labelled", check_box(exercise, forall=[[-3, -2]], at_most=0, label="B1")),
        ("box label specials", check_box(exercise, forall=[[-2, 1]], less=0, label=r"a_b & 5% \x")),
    ]
    claim = PointClaim(
        input=sympy.ImmutableMatrix([1]),
        expected=sympy.ImmutableMatrix([0]),
        relation=Relation.EQUALS,
        label="e1",
    )
    out += [
        ("failure", Failure(claim, InputError("spec.toml: claims[1]: cost $5 {a} \\(x\\) 50%"))),
    ]
    a = sympy.Symbol("a", real=True)
    param = ResNet(
        W=[[[1], [2]], [[a, 2], [3, -4], [-5, 6]], [[-1, 1, -1]]],
        B=EXERCISE_B,
        skips=EXERCISE_SKIPS,
        activation="relu",
    )
    out += [
        ("pieces x", realization_pieces(exercise, [x])),
        ("pieces a", realization_pieces(param, [-1])),
        ("pieces plane vector", realization_pieces(plane, [x, 1])),
        ("pieces one", realization_pieces(example, [x])),
    ]
    pbox = load_spec(DATA / "parameter-box.toml")  # for which b is R <= 10 on the box?
    out += [("parameter box", c.decide(pbox.network)) for c in pbox.claims]
    for stem in ("parameter-weights", "parameter-box-two"):  # sqrt(2) ends; two parameters
        spec = load_spec(DATA / f"{stem}.toml")
        out += [(stem, c.decide(spec.network)) for c in spec.claims]
    return out
