"""Def. 1.5.1/1.5.2 validation, dims, parameter count, Lemma 1.5.3, Def. 1.5.5."""

from __future__ import annotations

import enum
import re
from fractions import Fraction

import pytest
import sympy
from conftest import EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W
from hypothesis import given, settings
from hypothesis import strategies as st

import symresnet.model.network as network
from symresnet import NetworkError, ParseError, ResNet, identity, plain_ann
from symresnet.base.errors import ActivationError, LimitError
from symresnet.values.limits import Limits


def test_exercise_dims_and_count(exercise):
    assert exercise.L == 3
    assert exercise.dims == (1, 2, 3, 1)
    assert exercise.S == ((0, 3), (1, 3))
    # sum l_k (l_{k-1} + 1) = 2*2 + 3*3 + 1*4 = 17, skips l_3 l_0 + l_3 l_1 = 1 + 2 = 3
    assert exercise.parameter_count == 20
    assert not exercise.is_plain
    assert exercise.is_rational


def test_example_parameter_count(example):
    # 1*2 + 2*2 + 2*3 + 1*3 = 15, skip (0,4): 1*1
    assert example.parameter_count == 16


def test_entries_are_exact():
    net = ResNet(W=[[["0.1", Fraction(1, 3)]]], B=["-2/7"], activation="relu")
    assert net.W[0][0, 0] == sympy.Rational(1, 10)
    assert net.W[0][0, 1] == sympy.Rational(1, 3)
    assert net.B[0][0] == sympy.Rational(-2, 7)


def test_bare_numbers_are_1x1():
    net = ResNet(W=[2], B=[3])
    assert net.dims == (1, 1)
    assert net.W[0] == sympy.Matrix([[2]])


def test_plain_ann_is_resnet_without_skips():
    net = plain_ann(W=[[[1, 0], [0, -1], [-2, 2]], [[1, -2, 3]]], B=[[0, 2, -1], [1]])
    assert net.is_plain and net.S == ()
    assert net.parameter_count == 3 * 3 + 1 * 4
    assert net == ResNet(
        W=[[[1, 0], [0, -1], [-2, 2]], [[1, -2, 3]]], B=[[0, 2, -1], [1]], skips={}
    )


def test_identity_skip_marker():
    net = ResNet(
        W=[[[1, 2], [3, 4]], [[1, 1], [0, 1]]], B=[[0, 0], [0, 0]], skips={(0, 2): identity}
    )
    assert net.skips[(0, 2)] == sympy.eye(2)
    net2 = ResNet(W=net.W, B=net.B, skips={(0, 2): "I"})
    assert net2 == net
    assert identity(3) == sympy.eye(3)


@pytest.mark.parametrize(
    ("kwargs", "place", "message"),
    [
        (dict(W=[], B=[]), "layers", r"at least one layer"),
        (dict(W=[[[1]]], B=[[1], [2]]), "layers", r"1 weight matrices but 2 bias"),
        (
            dict(W=[[[1], [2]], [[-1, 2], [3, -4]], [[-1, 1, -1]]], B=EXERCISE_B),
            "layers[2].W",
            r"expected 3 rows of 2 entries \(l_2 x l_1\), got 2 rows",
        ),
        (dict(W=[[[1], [2]], [[1, 2, 3]]], B=[[0, 0], [0]]), "layers[2].W", r"row 1 has 3"),
        (dict(W=[[[1]]], B=[[1, 2]]), "layers[1].W", r"expected 2 rows of 1 entry"),
        (
            dict(W=[[[1]]], B=[[1]], dims=[1, 2]),
            "layers[1].B",
            r"expected 2 entries \(l_1\), got 1",
        ),
        (dict(W=[[[1]]], B=[[1]], dims=[1]), "dims", r"expected 2 dimensions"),
        (dict(W=[[[1]]], B=[[1]], dims=[1, 0]), "dims[1]", r"positive integer"),
        (dict(W=[[[1]]], B=[[1]], skips={(0, 2): [[1]]}), "skips[1]", r"need 0 <= r < k <= L = 1"),
        (dict(W=[[[1]], [[1]]], B=[[1], [1]], skips={(1, 1): [[1]]}), "skips[1]", r"\(1, 1\)"),
        (dict(W=[[[1]], [[1]]], B=[[1], [1]], skips={(-1, 2): [[1]]}), "skips[1]", r"\(-1, 2\)"),
        (
            dict(W=EXERCISE_W, B=EXERCISE_B, skips={(1, 3): [[3, -2, 1]]}),
            "skips[1].V",
            r"expected 1 row of 2 entries \(l_3 x l_1\)",
        ),
        (
            dict(W=EXERCISE_W, B=EXERCISE_B, skips={(0, 3): "I", (1, 2): "I"}),
            "skips[2].V",
            r"l_2 = l_1",
        ),
        (dict(W=[[[1]], [[1]]], B=[[1], [1]], skips={(0, 1.5): [[1]]}), "skips[1].k", r"integer"),
        (dict(W=[[["x"]]], B=[[1]]), "layers[1].W[1][1]", r"unknown name 'x'"),
        (dict(W=[[[1]]], B=[[None]]), "layers[1].B[1][1]", r"NoneType|None"),
    ],
)
def test_invalid_networks(kwargs, place, message):
    with pytest.raises((NetworkError, ParseError)) as info:
        ResNet(**kwargs)
    assert info.value.place == place
    assert re.search(message, info.value.message), info.value.message


def test_float_entries_are_refused():
    with pytest.raises(ParseError, match="Fraction"):
        ResNet(W=[[[0.5]]], B=[[0]])


def test_unknown_activation_lists_known():
    with pytest.raises(ActivationError, match="relu") as info:
        ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS, activation="swishy")
    assert info.value.place.startswith("activation")


def test_symbols_in_weights():
    v = sympy.Symbol("v", real=True)
    net = ResNet(W=[[[1]], [[2]]], B=[[0], [0]], skips={(0, 2): [[v]]})
    assert net.free_symbols == {v}
    assert not net.is_rational


# -- entries on the fast path (small ints, Fractions, sympy Rationals) -----------------------
#
# Expected matrices are made by sympy's own constructor from Rationals built from Fractions.

_ints = st.integers(-(10**30), 10**30)
_fractions = st.tuples(_ints, st.integers(1, 10**30)).map(lambda t: Fraction(*t))


def _entry_and_fraction():
    """An entry in one of the exact forms, and the Fraction it stands for."""
    return st.one_of(
        _ints.map(lambda n: (n, Fraction(n))),
        _fractions.map(lambda f: (f, f)),
        _fractions.map(lambda f: (sympy.Rational(f.numerator, f.denominator), f)),
        st.sampled_from(
            [
                (sympy.S.Zero, Fraction(0)),
                (sympy.S.One, Fraction(1)),
                (sympy.S.NegativeOne, Fraction(-1)),
                (sympy.S.Half, Fraction(1, 2)),
                (0, Fraction(0)),
                ("-3/7", Fraction(-3, 7)),  # the parser: a Rational too, off the fast path
                ("0.25", Fraction(1, 4)),
            ]
        ),
    )


def _rational(f: Fraction) -> sympy.Rational:
    return sympy.Rational(f.numerator, f.denominator)


def _assert_same_matrix(got, expected):
    """Equal, with equal entries of the same types, and the same internal DomainMatrix."""
    assert type(got) is type(expected)
    assert got == expected
    assert got.shape == expected.shape
    assert got.args == expected.args
    assert [type(e) for e in got] == [type(e) for e in expected]
    assert hash(got) == hash(expected)
    # what sympy's constructor stores: the domain (ZZ, QQ, EXRAW), sparse format and entries
    assert got._rep.domain == expected._rep.domain
    assert type(got._rep.rep) is type(expected._rep.rep)
    assert got._rep.rep == expected._rep.rep


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_fast_entries_give_the_constructors_matrices(data):
    n = data.draw(st.integers(1, 4))
    m = data.draw(st.integers(1, 4))
    cells = st.lists(_entry_and_fraction(), min_size=m, max_size=m)
    w = data.draw(st.lists(cells, min_size=n, max_size=n))
    b = data.draw(st.lists(_entry_and_fraction(), min_size=n, max_size=n))
    v = data.draw(st.lists(cells, min_size=n, max_size=n))
    net = ResNet(
        W=[[[e for e, _ in row] for row in w], [[1] * n] * m],
        B=[[e for e, _ in b], [0] * m],
        skips={(0, 2): [[1] * m] * m, (1, 2): [[e for e, _ in row] for row in v]}
        if n == m
        else {(0, 2): [[1] * m] * m},
        activation="relu",
    )
    expected_w = sympy.ImmutableMatrix([[_rational(f) for _, f in row] for row in w])
    expected_b = sympy.ImmutableMatrix([[_rational(f)] for _, f in b])
    _assert_same_matrix(net.W[0], expected_w)
    _assert_same_matrix(net.B[0], expected_b)
    _assert_same_matrix(net.W[1], sympy.ImmutableMatrix([[1] * n] * m))
    _assert_same_matrix(net.B[1], sympy.ImmutableMatrix([[0]] * m))
    if n == m:
        expected_v = sympy.ImmutableMatrix([[_rational(f) for _, f in row] for row in v])
        _assert_same_matrix(net.skips[(1, 2)], expected_v)
    # the same network with every entry written as a string ("p/q", parsed as before)
    texts = ResNet(
        W=[[[f"{f.numerator}/{f.denominator}" for _, f in row] for row in w], [[1] * n] * m],
        B=[[f"{f.numerator}/{f.denominator}" for _, f in b], [0] * m],
        skips=dict(net.skips),
    )
    assert texts == net
    _assert_same_matrix(texts.W[0], net.W[0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_entry_and_fraction(), min_size=3, max_size=3), min_size=2, max_size=2))
def test_fast_and_constructor_paths_agree(cells):
    rows = [[e for e, _ in row] for row in cells]
    fast = ResNet(W=[rows], B=[[0, 0]])
    saved = network._direct_matrices_work
    network._direct_matrices_work = lambda: False  # every matrix through sympy's constructor
    try:
        slow = ResNet(W=[rows], B=[[0, 0]])
    finally:
        network._direct_matrices_work = saved
    assert fast == slow
    _assert_same_matrix(fast.W[0], slow.W[0])
    _assert_same_matrix(fast.B[0], slow.B[0])


def test_fast_matrix_domains():
    ints = ResNet(W=[[[1, 0], [0, -2]]], B=[[0, 0]])
    assert ints.W[0]._rep.domain == sympy.ZZ
    assert ints.W[0]._rep.rep == {0: {0: 1}, 1: {1: -2}}  # a sparse matrix: no zeros stored
    assert ints.B[0]._rep.rep == {}
    halves = ResNet(W=[[[Fraction(1, 2), 0], [0, sympy.Rational(-2, 4)]]], B=[[0, 0]])
    assert halves.W[0]._rep.domain == sympy.QQ
    assert list(halves.W[0]) == [sympy.S.Half, 0, 0, sympy.Rational(-1, 2)]
    assert halves.W[0][0, 0] is sympy.S.Half
    assert halves.is_rational


def test_rationals_not_in_lowest_terms_are_reduced():
    two_fourths = sympy.Rational.from_coprime_ints(2, 4)  # wrong on purpose: not coprime
    one_over_minus_two = sympy.Rational.from_coprime_ints(1, -2)
    zero_fifths = sympy.Rational.from_coprime_ints(0, 5)
    net = ResNet(W=[[[two_fourths, one_over_minus_two, zero_fifths]]], B=[[1]])
    expected = sympy.ImmutableMatrix([[sympy.S.Half, sympy.Rational(-1, 2), sympy.S.Zero]])
    _assert_same_matrix(net.W[0], expected)
    assert net.W[0][0, 0] is sympy.S.Half


def test_big_sympy_integer_is_accepted_as_before():
    big = sympy.Integer(10) ** 6_000  # over max_digits, but exact() only limits its bits
    net = ResNet(W=[[[big, 1]]], B=[[0]])
    assert net.W[0][0, 0] == big
    assert net.W[0]._rep.domain == sympy.ZZ


def test_symbols_and_rationals_mixed():
    v = sympy.Symbol("v", real=True)
    net = ResNet(W=[[[Fraction(1, 3), v], [2, "a"]]], B=[[0, 0]], names={"a": v})
    expected = sympy.ImmutableMatrix([[sympy.Rational(1, 3), v], [2, v]])
    _assert_same_matrix(net.W[0], expected)
    assert net.W[0]._rep.domain == sympy.EXRAW


_BAD_ENTRIES = [  # the messages exact() gave for these before the fast path existed
    (True, ParseError, "True is a boolean, not a number: write 1 or 0 if you mean a number"),
    (False, ParseError, "False is a boolean, not a number: write 1 or 0 if you mean a number"),
    (
        0.5,
        ParseError,
        "0.5 is a float, and symresnet lets no float enter a result silently: write the exact "
        "value as a string or a Fraction, e.g. '1/2' or Fraction(1, 2)",
    ),
    (
        sympy.Float("0.5"),
        ParseError,
        "'0.500000000000000' is a float, and symresnet lets no float enter a result silently: "
        "write the exact value as a string or a sympy.Rational, e.g. '1/2' or sympy.Rational(1, 2)",
    ),
    (10**5_000, LimitError, "integer of 16610 bits has more than 5000 digits (Limits.max_digits)"),
    (
        -(10**5_000),
        LimitError,
        "integer of 16610 bits has more than 5000 digits (Limits.max_digits)",
    ),
    (
        Fraction(10**5_000, 3),
        LimitError,
        "numerator of 16610 bits has more than 5000 digits (Limits.max_digits)",
    ),
    (
        Fraction(1, 10**5_000),
        LimitError,
        "denominator of 16610 bits has more than 5000 digits (Limits.max_digits)",
    ),
    (
        sympy.Integer(2) ** 1_000_001,
        LimitError,
        "the value would have about 1000002 bits, more than 1000000 (Limits.max_result_bits): "
        "use smaller numbers or exponents",
    ),
    (sympy.nan, ParseError, "'nan' is not finite: entries are finite real numbers"),
    (
        sympy.true,
        ParseError,
        "expected a number or an expression, got sympy BooleanTrue",
    ),
]


_BAD_IDS = ["true", "false", "float", "sympy-float", "int-big", "int-big-negative"]
_BAD_IDS += ["fraction-numerator", "fraction-denominator", "sympy-big", "nan", "sympy-true"]


@pytest.mark.parametrize(("bad", "error", "message"), _BAD_ENTRIES, ids=_BAD_IDS)
def test_bad_entries_among_fast_ones_keep_their_errors(bad, error, message):
    rows = [[sympy.Rational(1, 3), 2, Fraction(5, 7)], [4, bad, sympy.Rational(-1, 2)]]
    with pytest.raises(error) as info:
        ResNet(W=[rows], B=[[0, 0]])
    assert type(info.value) is error
    assert info.value.place == "layers[1].W[2][2]"
    assert info.value.message == message
    with pytest.raises(error) as info:
        ResNet(W=[[[1, 2], [3, 4]]], B=[[0, bad]])
    assert info.value.place == "layers[1].B[2][1]"
    assert info.value.message == message
    square = [row[:2] for row in rows]
    with pytest.raises(error) as info:
        ResNet(W=[[[1, 2], [3, 4]], [[1, 0], [0, 1]]], B=[[0, 0], [0, 0]], skips={(0, 2): square})
    assert info.value.place == "skips[1].V[2][2]"
    assert info.value.message == message


@pytest.mark.parametrize("name", ["fmpz", "fmpq"])
def test_flint_entries_are_refused_as_before(name):
    flint = pytest.importorskip("flint")
    value = flint.fmpz(3) if name == "fmpz" else flint.fmpq(1, 3)
    with pytest.raises(ParseError) as info:
        ResNet(W=[[[1, value]]], B=[[0]])
    assert info.value.place == "layers[1].W[1][2]"
    assert info.value.message == f"expected a number or a string such as '3/7', got {name}"


def test_first_bad_entry_in_reading_order_is_reported():
    rows = [[1, Fraction(1, 2), 0.5], [True, 10**5_000, "x"]]
    with pytest.raises(ParseError) as info:
        ResNet(W=[rows], B=[[0, 0]])
    assert info.value.place == "layers[1].W[1][3]"
    assert info.value.message.startswith("0.5 is a float")


def test_custom_digit_limit_on_the_fast_path():
    # max_digits=3: the fast path takes |n| < 2**9 only; 999 and -999 pass through exact()
    net = ResNet(W=[[[511, 999, -999, Fraction(999, 512)]]], B=[[0]], limits=Limits(max_digits=3))
    assert list(net.W[0]) == [511, 999, -999, sympy.Rational(999, 512)]
    for bad, what in ((1000, "integer"), (Fraction(1, 1000), "denominator")):
        with pytest.raises(LimitError) as info:
            ResNet(W=[[[1, bad]]], B=[[0]], limits=Limits(max_digits=3))
        assert info.value.place == "layers[1].W[1][2]"
        assert info.value.message == (
            f"{what} of 10 bits has more than 3 digits (Limits.max_digits)"
        )


def test_int_subclasses_take_the_general_path():
    class Level(enum.IntEnum):
        LOW = 2

    net = ResNet(W=[[[Level.LOW, 3]]], B=[[0]])
    _assert_same_matrix(net.W[0], sympy.ImmutableMatrix([[2, 3]]))
    assert type(net.W[0][0, 0]) is sympy.Integer


def test_the_direct_matrix_check_lets_a_time_limit_through(monkeypatch):
    # the command line's time limit raises LimitError from a signal handler, anywhere: the
    # one-time check of sympy's internals must not mistake it for an unexpected sympy
    from symresnet.base.errors import LimitError

    def expired(*args, **kwargs):
        raise LimitError("gave up after 0.001 seconds (--time-limit)")

    def unexpected(*args, **kwargs):
        raise ValueError("a sympy whose internals differ")

    network._direct_matrices_work.cache_clear()
    try:
        monkeypatch.setattr(network, "_assemble", expired)
        with pytest.raises(LimitError, match="gave up"):
            network._direct_matrices_work()
        monkeypatch.setattr(network, "_assemble", unexpected)
        assert network._direct_matrices_work() is False
    finally:
        network._direct_matrices_work.cache_clear()  # the next call checks the real sympy again


# -- sizes implied by dims and identity skips (issue 16) ------------------------------------


def _wide_identity(width: int, **kwargs):
    """l_0 = l_2 = width, l_1 = 1, V_{0,2} = I: only 3 * width + 1 entries are written."""
    return ResNet(
        W=[[[0] * width], [[0]] * width],
        B=[[0], [0] * width],
        skips={(0, 2): identity},
        dims=[width, 1, width],
        **kwargs,
    )


def test_identity_skip_is_refused_before_it_is_made(monkeypatch):
    made = []
    monkeypatch.setattr(sympy, "eye", lambda d: made.append(d))  # never reached
    with pytest.raises(LimitError) as info:
        _wide_identity(20, limits=Limits(max_entries=399))
    assert str(info.value) == (
        "skips[1].V: V_{0,2} = I would be a 20 x 20 matrix of 400 entries, more than the "
        "limit of 399 (Limits.max_entries) (use narrower layers)"
    )
    assert made == []


def test_identity_skip_at_the_entry_limit_is_built():
    net = _wide_identity(20, limits=Limits(max_entries=400))
    assert net.skips[(0, 2)] == sympy.eye(20)


def test_network_entries_count_every_matrix_and_identity_skip():
    # W_1: 1 x 20, B_1: 1, W_2: 20 x 1, B_2: 20, V_{0,2}: 20 x 20 -> 20 + 1 + 20 + 20 + 400
    total = 461
    _wide_identity(20, limits=Limits(max_network_entries=total))
    with pytest.raises(LimitError, match=rf"would have {total} entries .* limit of {total - 1} "):
        _wide_identity(20, limits=Limits(max_network_entries=total - 1))


def test_network_size_is_checked_before_any_matrix(monkeypatch):
    calls = []
    monkeypatch.setattr(network, "_matrix", lambda *a, **k: calls.append(a))
    with pytest.raises(LimitError, match=r"Limits\.max_network_entries"):
        ResNet(W=[[[1, 2]]], B=[[0]], limits=Limits(max_network_entries=2))
    assert calls == []


def test_invalid_skip_keys_keep_their_own_error_under_the_size_check():
    with pytest.raises(NetworkError, match=r"skips\[1\]: \(r, k\) = \(1, 0\) is not a skip"):
        ResNet(W=[[[1]]], B=[[0]], skips={(1, 0): identity})
