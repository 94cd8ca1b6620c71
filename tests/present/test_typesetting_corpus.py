"""Typesetting without flaws: a seeded corpus of specs, derived as ``symresnet derive`` does
(:func:`~symresnet.io.spec.loads_spec`, :func:`~symresnet.claims.spec.decide` or
:func:`~symresnet.compute.realization.realize` for ``--at``, then
:func:`~symresnet.present.render.document`), compiled in a few pdflatex runs; any overfull
``\\hbox`` wider than 1pt or any ``LaTeX Warning`` in the log fails.

The corpus: widths 1..8, depths 1..6, integer and fractional weights, skips, point claims of
every relation, parameter claims (a parameter in a bias or a weight) and symbolic ``--at x``
derivations of 1-input networks.  Box claims (``forall``/``exists``) are left out: their proofs
are being rewritten elsewhere and get their own corpus.

Today the corpus test is a strict ``xfail``: it finds overfull boxes in about half the specs.
"""

from __future__ import annotations

import random
import re
from fractions import Fraction

import pytest

from symresnet.claims.spec import decide
from symresnet.cli.common import parse_point
from symresnet.compute.realization import as_input, realize
from symresnet.io.spec import loads_spec
from symresnet.present.compile import compile_pdf
from symresnet.present.render import document

RELATIONS = ("equals", "at_most", "at_least", "less", "greater")
OVERFULL = re.compile(r"Overfull \\hbox \(([0-9.]+)pt too wide\)")


def _number(rng: random.Random, fractional: bool) -> str:
    n = rng.randint(-9, 9)
    if fractional and rng.random() < 0.5:
        d = rng.choice([2, 3, 7, 10])
        return f'"{Fraction(n, d)}"'
    return str(n)


def _entries(rng: random.Random, rows: int, cols: int, fractional: bool) -> list[list[str]]:
    return [[_number(rng, fractional) for _ in range(cols)] for _ in range(rows)]


def _toml(rows: list[list[str]]) -> str:
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"


def _matrix(rng: random.Random, rows: int, cols: int, fractional: bool) -> str:
    return _toml(_entries(rng, rows, cols, fractional))


def _spec(rng: random.Random, i: int) -> tuple[str, str | None]:
    """The text of the ``i``-th spec and the ``--at`` argument (``None``: derive its claims)."""
    kind = ("point", "point", "parameter", "symbolic")[i % 4]
    depth = 1 + i % 6
    fractional = i % 3 == 0
    top = 3 if kind == "symbolic" else 8  # symbolic values grow fast with width and depth
    dims = [1 if kind == "symbolic" else rng.randint(1, top)]
    dims += [rng.randint(1, top) for _ in range(depth - 1)] + [rng.randint(1, 3)]
    if i % 10 == 7 and kind != "symbolic":  # now and then one wide layer
        dims[rng.randrange(len(dims))] = 8
    lines = [f'title = "corpus {i}"', 'activation = "relu"', f"dims = {dims}"]
    param_at = None
    if kind == "parameter":
        lines += ["[parameters]", "b = {}"]
        param_at = (rng.randrange(depth), rng.choice(["W", "B"]))
    for k in range(1, depth + 1):
        W = _entries(rng, dims[k], dims[k - 1], fractional)
        B = [_number(rng, fractional) for _ in range(dims[k])]
        if param_at == (k - 1, "W"):
            W[0][0] = '"b"'
        if param_at == (k - 1, "B"):
            B[0] = '"b"'
        lines += ["[[layers]]", f"W = {_toml(W)}", f"B = [{', '.join(B)}]"]
    for k in range(2, depth + 1):
        if rng.random() < 0.4:
            r = rng.randrange(0, k - 1)
            V = _matrix(rng, dims[k], dims[r], fractional)
            lines += ["[[skips]]", f"r = {r}", f"k = {k}", f"V = {V}"]
    if kind == "symbolic":
        return "\n".join(lines) + "\n", "x"
    for c in range(rng.randint(1, 2)):
        relation = RELATIONS[(i + c) % len(RELATIONS)]
        x = "[" + ", ".join(_number(rng, fractional) for _ in range(dims[0])) + "]"
        y = "[" + ", ".join(_number(rng, False) for _ in range(dims[-1])) + "]"
        lines += ["[[claims]]", f'label = "c{i}.{c}"', f"input = {x}", f"{relation} = {y}"]
    return "\n".join(lines) + "\n", None


def corpus(count: int = 56, seed: int = 2026) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    return [_spec(rng, i) for i in range(count)]


def _items(text: str, at: str | None) -> list:
    spec = loads_spec(text, source="corpus.toml")
    if at is not None:
        entries, names = parse_point(at, spec.names)
        x = as_input(entries, spec.network.dims[0], names=names, place="--at")
        return [realize(spec.network, x, names=names)]
    return [decide(c, spec.network, bounds=spec.parameters) for c in spec.claims]


def _flaws(log: str) -> list[str]:
    flaws = [m.group(0) for m in OVERFULL.finditer(log) if float(m.group(1)) > 1.0]
    flaws += [line for line in log.splitlines() if "LaTeX Warning" in line]
    return flaws


def test_corpus_is_varied():
    specs = corpus()
    assert len(specs) >= 50
    texts = [t for t, _ in specs]
    assert sum(at is not None for _, at in specs) >= 10
    assert sum("[parameters]" in t for t in texts) >= 10
    assert sum("[[skips]]" in t for t in texts) >= 10
    assert sum('"' in t.split("dims")[1] and "/" in t for t in texts) >= 10
    for relation in RELATIONS:
        assert any(f"\n{relation} = " in t for t in texts), relation
    assert {len(loads_spec(t).network.dims) - 1 for t in texts} == set(range(1, 7))
    assert max(max(loads_spec(t).network.dims) for t in texts) == 8


def test_the_log_parser_sees_flaws():
    log = "Overfull \\hbox (16.7pt too wide) in paragraph\nOverfull \\hbox (0.5pt too wide)\n"
    log += "LaTeX Warning: Reference `x' on page 1 undefined\n"
    assert _flaws(log) == [
        "Overfull \\hbox (16.7pt too wide)",
        "LaTeX Warning: Reference `x' on page 1 undefined",
    ]


@pytest.mark.xfail(
    strict=True,
    reason="known flaws (issue 13): 22 of the 56 specs give overfull boxes of 1-110pt "
    "(long equations and wide matrices on one line, symbolic --at x); strict, so the test "
    "fails once they are fixed and the mark must go",
)
@pytest.mark.parametrize("batch", range(4))
def test_corpus_typesets_without_flaws(latex, batch):
    specs = corpus()[batch::4]
    items = [item for text, at in specs for item in _items(text, at)]
    log = compile_pdf(document(items)).log
    assert _flaws(log) == []
