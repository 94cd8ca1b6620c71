"""Tests of symresnet.model.activations against hand values and a tiny Fraction reference."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.base.errors import ActivationError, InputError
from symresnet.model.activation_table import KNOWN
from symresnet.model.activations import (
    IDENTITY,
    Activation,
    Piece,
    activation,
    softmax,
)

oo = sympy.oo
R = sympy.Rational
x = sympy.Symbol("x", real=True)


# -- an independent reference: the definitions of docs/math.md, with Fractions ---------------------


def reference(name: str, params: dict, t: F) -> F:
    if name == "relu":
        return max(t, F(0))
    if name == "clip":
        u, v = params.get("u"), params.get("v")
        y = t if v is None else min(t, v)
        return y if u is None else max(u, y)
    if name == "leaky_relu":
        return t if t > 0 else params["gamma"] * t
    if name == "repu":
        y = max(t, F(0))
        out = F(1)
        for _ in range(params["p"]):
            out *= y
        return out
    if name == "heaviside":
        return F(1) if t >= 0 else F(0)
    if name == "identity":
        return t
    if name == "softsign":
        return t / (abs(t) + 1)
    raise AssertionError(name)


#: (spec, name, parameters for the reference as Fractions / ints; None = infinite bound)
RATIONAL_CASES = [
    ("relu", "relu", {}),
    ({"name": "clip", "u": 0, "v": 1}, "clip", {"u": F(0), "v": F(1)}),
    ({"name": "clip", "u": F(-1, 2), "v": F(3, 4)}, "clip", {"u": F(-1, 2), "v": F(3, 4)}),
    ({"name": "clip", "v": 1}, "clip", {"v": F(1)}),
    ({"name": "clip", "u": -2}, "clip", {"u": F(-2)}),
    ({"name": "leaky_relu", "gamma": F(1, 10)}, "leaky_relu", {"gamma": F(1, 10)}),
    ({"name": "leaky_relu", "gamma": 0}, "leaky_relu", {"gamma": F(0)}),
    ({"name": "leaky_relu", "gamma": 3}, "leaky_relu", {"gamma": F(3)}),
    ({"name": "leaky_relu", "gamma": 1}, "leaky_relu", {"gamma": F(1)}),
    ({"name": "repu", "p": 1}, "repu", {"p": 1}),
    ({"name": "repu", "p": 3}, "repu", {"p": 3}),
    ("heaviside", "heaviside", {}),
    ("identity", "identity", {}),
    ("softsign", "softsign", {}),
]

fractions = st.fractions(min_value=-20, max_value=20, max_denominator=60)


# -- fast path and pieces against the reference -------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(t=fractions)
def test_apply_fraction_matches_reference(t):
    for spec, name, params in RATIONAL_CASES:
        a = activation(spec)
        expected = reference(name, params, t)
        got = a.apply_fraction(t)
        assert isinstance(got, F)
        assert got == expected, (spec, t)
        assert a(R(t.numerator, t.denominator)) == R(expected.numerator, expected.denominator)


def _in_piece(piece: Piece, t: F) -> bool:
    """Membership written out by hand (independent of Piece.contains)."""
    q = R(t.numerator, t.denominator)
    if piece.lo != -oo and (q < piece.lo or (q == piece.lo and not piece.lo_closed)):
        return False
    return not (piece.hi != oo and (q > piece.hi or (q == piece.hi and not piece.hi_closed)))


PIECEWISE_CASES = [case for case in RATIONAL_CASES if case[1] != "softsign" and case[2] != {"p": 3}]


@settings(max_examples=200, deadline=None)
@given(t=fractions)
def test_pieces_partition_and_agree(t):
    for spec, name, params in PIECEWISE_CASES:
        a = activation(spec)
        assert a.piecewise_linear
        containing = [piece for piece in a.pieces if _in_piece(piece, t)]
        assert len(containing) == 1, (spec, t)
        assert [piece for piece in a.pieces if piece.contains(t)] == containing
        piece = containing[0]
        expected = reference(name, params, t)
        assert piece.slope * R(t.numerator, t.denominator) + piece.intercept == R(
            expected.numerator, expected.denominator
        ), (spec, t)


@pytest.mark.parametrize(("spec", "name", "params"), PIECEWISE_CASES)
def test_pieces_are_increasing_and_adjacent(spec, name, params):
    pieces = activation(spec).pieces
    assert pieces[0].lo == -oo
    assert pieces[-1].hi == oo
    for left, right in itertools.pairwise(pieces):
        assert left.hi == right.lo
        assert left.hi_closed != right.lo_closed  # the boundary lies in exactly one piece


def test_pieces_exact_shapes():
    z, one = sympy.Integer(0), sympy.Integer(1)
    assert activation("relu").pieces == (
        Piece(-oo, z, False, True, z, z),
        Piece(z, oo, False, False, one, z),
    )
    assert activation("heaviside").pieces == (
        Piece(-oo, z, False, False, z, z),
        Piece(z, oo, True, False, z, one),
    )
    assert activation({"name": "clip", "u": 0, "v": 1}).pieces == (
        Piece(-oo, z, False, True, z, z),
        Piece(z, one, False, True, one, z),
        Piece(one, oo, False, False, z, one),
    )
    assert activation({"name": "clip", "v": 1}).pieces == (
        Piece(-oo, one, False, True, one, z),
        Piece(one, oo, False, False, z, one),
    )
    assert activation({"name": "leaky_relu", "gamma": F(1, 10)}).pieces[0].slope == R(1, 10)
    assert IDENTITY.pieces == (Piece(-oo, oo, False, False, one, z),)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("relu", (0,)),
        ("heaviside", (0,)),
        ("identity", ()),
        ({"name": "clip", "u": 0, "v": 1}, (0, 1)),
        ({"name": "clip", "u": F(-3, 2), "v": F(5, 7)}, (R(-3, 2), R(5, 7))),
        ({"name": "clip", "v": 1}, (1,)),
        ({"name": "clip", "u": -1}, (-1,)),
        ({"name": "leaky_relu", "gamma": F(1, 10)}, (0,)),
        ({"name": "leaky_relu", "gamma": 1}, ()),
        ({"name": "repu", "p": 1}, (0,)),
    ],
)
def test_breakpoints(spec, expected):
    assert activation(spec).breakpoints == tuple(sympy.Rational(b) for b in expected)


@pytest.mark.parametrize(
    "spec",
    ["softplus", "gelu", "sigmoid", "swish", "tanh", "softsign", "sin", {"name": "repu", "p": 2}],
)
def test_pieces_refused_when_not_piecewise_linear(spec):
    a = activation(spec)
    assert not a.piecewise_linear
    with pytest.raises(ActivationError, match="not piecewise linear"):
        _ = a.pieces
    with pytest.raises(ActivationError, match="not piecewise linear"):
        _ = a.breakpoints


# -- properties ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "rational", "piecewise_linear", "continuous"),
    [
        ("relu", True, True, True),
        ({"name": "clip", "u": 0, "v": 1}, True, True, True),
        ("softplus", False, False, True),
        ("gelu", False, False, True),
        ("sigmoid", False, False, True),
        ("swish", False, False, True),
        ("tanh", False, False, True),
        ("softsign", True, False, True),
        ({"name": "leaky_relu", "gamma": F(1, 10)}, True, True, True),
        ({"name": "elu", "gamma": -1}, False, False, True),
        ({"name": "repu", "p": 1}, True, True, True),
        ({"name": "repu", "p": 2}, True, False, True),
        ("sin", False, False, True),
        ("heaviside", True, True, False),
        ("identity", True, True, True),
    ],
)
def test_properties(spec, rational, piecewise_linear, continuous):
    a = activation(spec)
    assert a.rational is rational
    assert a.piecewise_linear is piecewise_linear
    assert a.continuous is continuous


@pytest.mark.parametrize("spec", ["softplus", "gelu", "sigmoid", "tanh", "sin", "swish"])
def test_apply_fraction_refused_for_smooth(spec):
    with pytest.raises(ActivationError, match="does not map rationals to rationals"):
        activation(spec).apply_fraction(F(1, 2))


def test_symbolic_parameter():
    a_sym = sympy.Symbol("a", real=True)
    leaky = activation({"name": "leaky_relu", "gamma": a_sym})
    assert not leaky.rational  # no Fraction fast path
    assert leaky.piecewise_linear
    assert leaky.pieces[0].slope == a_sym
    assert leaky.breakpoints == (0,)
    assert leaky(R(-5)) == -5 * a_sym
    assert leaky(R(2)) == 2
    with pytest.raises(ActivationError):
        leaky.apply_fraction(F(1))
    # numeric checks are skipped for symbolic values
    assert activation({"name": "elu", "gamma": a_sym}).param("gamma") == a_sym
    assert activation({"name": "clip", "u": a_sym, "v": 0}).breakpoints == (a_sym, 0)


# -- names, aliases, equality, printing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("relu", "relu"),
        ("ReLU", "relu"),
        ("  RELU ", "relu"),
        ("logistic", "sigmoid"),
        ("Sigmoid", "sigmoid"),
        ("sine", "sin"),
        ("step", "heaviside"),
        ("Heaviside", "heaviside"),
        ("GELU", "gelu"),
        ("identity", "identity"),
        ({"name": "leaky", "gamma": 0}, "leaky_relu"),
        ({"name": "Leaky-ReLU", "gamma": 0}, "leaky_relu"),
        ({"name": "clipping", "u": 0}, "clip"),
    ],
)
def test_names_and_aliases(spec, name):
    assert activation(spec).name == name


def test_known_and_identity():
    assert set(KNOWN) == {
        "relu",
        "clip",
        "softplus",
        "gelu",
        "sigmoid",
        "swish",
        "tanh",
        "softsign",
        "leaky_relu",
        "elu",
        "repu",
        "sin",
        "heaviside",
        "identity",
    }
    assert "softmax" not in KNOWN
    assert activation("identity") == IDENTITY
    assert IDENTITY(R(-7, 3)) == R(-7, 3)


def test_canonical_params_and_defaults():
    assert activation("relu").params == ()
    assert activation({"name": "clip", "v": 1}).params == (("u", -oo), ("v", 1))
    assert activation({"name": "clip", "u": 0}).params == (("u", 0), ("v", oo))
    assert activation("swish").params == (("beta", 1),)
    assert activation({"name": "leaky_relu", "gamma": F(1, 10)}).param("gamma") == R(1, 10)
    with pytest.raises(ActivationError, match="no parameter 'beta'"):
        activation("relu").param("beta")


def test_equality_hash_repr():
    a = activation({"name": "leaky_relu", "gamma": F(1, 10)})
    b = activation({"name": "leaky", "gamma": R(1, 10)})
    assert a == b
    assert hash(a) == hash(b)
    assert a != activation({"name": "leaky_relu", "gamma": F(1, 5)})
    assert len({a, b, activation("relu")}) == 2
    assert repr(a) == "Activation('leaky_relu', gamma=1/10)"
    assert repr(activation("relu")) == "Activation('relu')"
    assert activation(a) is a
    with pytest.raises(AttributeError):
        a.name = "relu"  # type: ignore[misc]


def test_direct_construction_validates():
    assert Activation("relu") == activation("relu")
    assert Activation("leaky_relu", (("gamma", F(1, 2)),)).param("gamma") == R(1, 2)
    with pytest.raises(ActivationError, match="unknown activation"):
        Activation("ReLU")
    with pytest.raises(ActivationError, match="takes the parameters"):
        Activation("clip", (("v", 1),))
    with pytest.raises(ActivationError, match="gamma >= 0"):
        Activation("leaky_relu", (("gamma", -1),))


@pytest.mark.parametrize(
    ("spec", "latex", "text"),
    [
        ("relu", r"\mathfrak{r}", "r"),
        ({"name": "clip", "u": 0, "v": 1}, r"\mathfrak{c}_{0,1}", "c_{0,1}"),
        ({"name": "clip", "v": 1}, r"\mathfrak{c}_{-\infty,1}", "c_{-oo,1}"),
        ({"name": "clip", "u": F(-1, 2)}, r"\mathfrak{c}_{- \frac{1}{2},\infty}", "c_{-1/2,oo}"),
        ("softplus", r"\operatorname{softplus}", "softplus"),
        ("gelu", r"\operatorname{GELU}", "GELU"),
        ("sigmoid", r"\operatorname{sig}", "sig"),
        ({"name": "swish", "beta": 2}, r"\operatorname{swish}_{2}", "swish_{2}"),
        ("tanh", r"\tanh", "tanh"),
        ("softsign", r"\operatorname{softsign}", "softsign"),
        (
            {"name": "leaky_relu", "gamma": F(1, 10)},
            r"\operatorname{leaky}_{\frac{1}{10}}",
            "leaky_{1/10}",
        ),
        ({"name": "elu", "gamma": -1}, r"\operatorname{ELU}_{-1}", "ELU_{-1}"),
        ({"name": "repu", "p": 3}, r"\operatorname{RePU}_{3}", "RePU_{3}"),
        ("sin", r"\sin", "sin"),
        ("heaviside", r"\mathbf{1}_{[0,\infty)}", "1_[0,oo)"),
        ("identity", r"\mathrm{id}_{\mathbb{R}}", "id"),
    ],
)
def test_latex_and_text(spec, latex, text):
    a = activation(spec)
    assert a.latex == latex
    assert a.text == text


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("ReLU", "relu"),
        ("logistic", "sigmoid"),
        ({"name": "leaky", "gamma": F(1, 10)}, {"name": "leaky_relu", "gamma": "1/10"}),
        ({"name": "clip", "v": 1}, {"name": "clip", "v": "1"}),
        ({"name": "clip", "u": -2, "v": F(1, 3)}, {"name": "clip", "u": "-2", "v": "1/3"}),
        ({"name": "repu", "p": 2}, {"name": "repu", "p": "2"}),
        ("swish", {"name": "swish", "beta": "1"}),
        ({"name": "elu", "gamma": F(-3, 2)}, {"name": "elu", "gamma": "-3/2"}),
    ],
)
def test_to_spec(spec, expected):
    assert activation(spec).to_spec() == expected


@pytest.mark.parametrize("name", KNOWN)
def test_to_spec_round_trips(name):
    needed = {
        "clip": {"u": F(-1, 2), "v": 3},
        "leaky_relu": {"gamma": F(1, 10)},
        "elu": {"gamma": F(-7, 3)},
        "repu": {"p": 4},
        "swish": {"beta": F(5, 2)},
    }
    a = activation({"name": name, **needed.get(name, {})})
    assert activation(a.to_spec()) == a


# -- parameters read with exact() ---------------------------------------------------------------


def test_string_parameters():
    assert activation({"name": "leaky_relu", "gamma": "1/10"}).param("gamma") == R(1, 10)
    assert activation({"name": "clip", "u": "-1/2", "v": "3"}).breakpoints == (R(-1, 2), 3)
    assert activation({"name": "repu", "p": "2"}).param("p") == 2
    a_sym = sympy.Symbol("a", real=True)
    leaky = activation({"name": "leaky_relu", "gamma": "a"}, names={"a": a_sym})
    assert leaky.param("gamma") == a_sym
    assert activation(leaky.to_spec(), names={"a": a_sym}) == leaky


@pytest.mark.parametrize(
    ("value", "place"),
    [("1/", "activation.gamma"), (True, "activation.gamma"), (0.1, "activation.gamma")],
)
def test_parse_errors_are_located(value, place):
    with pytest.raises(InputError) as info:
        activation({"name": "leaky_relu", "gamma": value})
    assert info.value.place.startswith(place)


def test_non_real_parameter_refused():
    with pytest.raises(InputError, match="not real"):
        activation({"name": "swish", "beta": sympy.I})
    with pytest.raises(ActivationError, match="real number"):
        Activation("swish", (("beta", sympy.I),))


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "match", "place"),
    [
        ("relux", r"unknown activation 'relux'; known: relu, clip, .*heaviside, identity", None),
        ("sigmoidd", "did you mean 'sigmoid'", None),
        ({"name": "foo"}, "unknown activation 'foo'", "activation.name"),
        ("softmax", "softmax is vector-valued.*not componentwise", "activation"),
        ({"name": "SoftMax"}, "cannot be a ResNet activation.*symresnet.softmax", None),
        ({"name": "clip", "u": 1, "v": 0}, "clip needs u < v", "activation.v"),
        ({"name": "clip", "u": 1, "v": 1}, "clip needs u < v", None),
        ("clip", "clip needs at least one bound", "activation"),
        ({"name": "clip"}, "clip needs at least one bound", None),
        ({"name": "leaky_relu", "gamma": F(-1, 10)}, "gamma >= 0", "activation.gamma"),
        ({"name": "elu", "gamma": F(1, 2)}, "gamma <= 0", "activation.gamma"),
        ({"name": "repu", "p": 0}, "positive integer at most 64", "activation.p"),
        ({"name": "repu", "p": F(1, 2)}, "positive integer", "activation.p"),
        ({"name": "repu", "p": 1000}, "at most 64", "activation.p"),
        ({"name": "repu", "p": -2}, "positive integer", None),
        ({"name": "repu", "p": sympy.Symbol("q")}, "symbolic power", None),
        ({"name": "leaky_relu", "beta": 1}, r"unknown parameter 'beta'.*allowed: gamma", None),
        ({"name": "clip", "w": 1}, "allowed: u, v", "activation.w"),
        ({"name": "relu", "gamma": 1}, "takes no parameters", "activation.gamma"),
        ({"name": "leaky_relu"}, "leaky_relu needs the parameter gamma", "activation"),
        ("leaky_relu", "needs the parameter gamma", None),
        ("elu", "elu needs the parameter gamma", None),
        ("repu", "repu needs the parameter p", None),
        ({"gamma": 1}, "needs a 'name'", "activation"),
        ({"name": 3}, "must be a string", "activation.name"),
        (3, "a name or a table", "activation"),
    ],
)
def test_errors(spec, match, place):
    with pytest.raises(ActivationError, match=match) as info:
        activation(spec)
    if place is not None:
        assert info.value.place == place


def test_missing_parameter_hint_shows_the_table_form():
    with pytest.raises(ActivationError) as info:
        activation("leaky_relu")
    assert 'gamma = "1/10"' in str(info.value)


# -- softmax ------------------------------------------------------------------------------------


def test_softmax_values_and_sum():
    out = softmax([sympy.Integer(0), sympy.log(2), sympy.log(5)])
    assert out == [R(1, 8), R(2, 8), R(5, 8)]
    values = softmax([0, 1, F(1, 2)])
    assert sympy.cancel(sympy.Add(*values)) == 1
    assert values[1] == sympy.exp(1) / (1 + sympy.exp(1) + sympy.exp(R(1, 2)))
    y = sympy.Symbol("y", real=True)
    assert sympy.simplify(sympy.Add(*softmax([x, y])) - 1) == 0
    assert softmax([R(7, 3)]) == [1]


def test_softmax_empty():
    with pytest.raises(ActivationError, match="at least one entry"):
        softmax([])
