"""Typesetting without flaws: a seeded corpus of specs, derived as ``symresnet derive`` does
(:func:`~symresnet.io.spec.loads_spec`, :func:`~symresnet.claims.spec.decide` or
:func:`~symresnet.compute.realization.realize` for ``--at``, then
:func:`~symresnet.present.render.document`), compiled in a few pdflatex runs; any overfull
``\\hbox`` wider than 1pt or any ``LaTeX Warning`` in the log fails.

The corpus (72 specs): widths 1..8, depths 1..6, integer and fractional weights, skips, point
claims of every relation, parameter claims (a parameter in a bias or a weight), symbolic
``--at x`` derivations of 1-input networks, box claims (``forall``/``exists``, 1 or 2 inputs)
and parameter-over-box claims; rendered with the default options, with ``--first-equation
3.1`` (whose numbers must run 3.1, 3.2, ... without holes) and with ``--inline`` (networks of
width at most 4: running text cannot hold an 8 x 8 matrix readably).  Box networks are kept
small (width 3, depth 3) so that their regions are few and the test stays quick.
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
from symresnet.present.render import DEFAULT_RENDER, RenderOptions, document

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


KINDS = ("point", "point", "parameter", "symbolic", "box", "point", "parameter", "symbolic", "pbox")


def _spec(rng: random.Random, i: int) -> tuple[str, str | None]:
    """The text of the ``i``-th spec and the ``--at`` argument (``None``: derive its claims)."""
    kind = KINDS[i % len(KINDS)]
    small = kind in ("box", "pbox") or _options(i).display is False
    depth = 1 + i % (3 if kind in ("box", "pbox") else 6)
    fractional = i % 3 == 0
    top = 3 if kind in ("symbolic", "box", "pbox") else 4 if small else 8
    dims = [1 if kind == "symbolic" else (1 + i % 2) if kind in ("box", "pbox") else 0]
    if dims[0] == 0:
        dims[0] = rng.randint(1, top)
    dims += [rng.randint(1, top) for _ in range(depth - 1)] + [rng.randint(1, 3)]
    if kind in ("box", "pbox"):
        dims[-1] = 1
    if i % 10 == 7 and kind != "symbolic" and not small:  # now and then one wide layer
        dims[rng.randrange(len(dims))] = 8
    lines = [f'title = "corpus {i}"', 'activation = "relu"', f"dims = {dims}"]
    param_at = None
    if kind in ("parameter", "pbox"):
        lines += ["[parameters]", "b = {}"]
        param_at = (rng.randrange(depth), "B" if kind == "pbox" else rng.choice(["W", "B"]))
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
    if kind in ("box", "pbox"):
        box = [[-rng.randint(0, 2), rng.randint(1, 2)] for _ in range(dims[0])]
        quantifiers = ["forall"] if kind == "pbox" else ["forall", "exists"]
        for c, quantifier in enumerate(quantifiers):
            relation = ("at_most", "at_least")[(i + c) % 2]
            lines += ["[[claims]]", f'label = "c{i}.{c}"', f"{quantifier} = {box}"]
            lines += [f"{relation} = [{rng.randint(-9, 9)}]"]
        return "\n".join(lines) + "\n", None
    for c in range(rng.randint(1, 2)):
        relation = RELATIONS[(i + c) % len(RELATIONS)]
        x = "[" + ", ".join(_number(rng, fractional) for _ in range(dims[0])) + "]"
        y = "[" + ", ".join(_number(rng, False) for _ in range(dims[-1])) + "]"
        lines += ["[[claims]]", f'label = "c{i}.{c}"', f"input = {x}", f"{relation} = {y}"]
    return "\n".join(lines) + "\n", None


def _options(i: int) -> RenderOptions:
    """The render options of the ``i``-th spec: every fifth ``--first-equation 3.1``, every
    seventh ``--inline``, the rest the defaults."""
    if i % 7 == 5:
        return RenderOptions(display=False)
    if i % 5 == 4:
        return RenderOptions(first_equation="3.1")
    return DEFAULT_RENDER


def corpus(count: int = 72, seed: int = 2026) -> list[tuple[str, str | None]]:
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
    assert sum("\nforall = " in t for t in texts) >= 10
    assert sum("\nexists = " in t for t in texts) >= 5
    assert sum("\nforall = " in t and "[parameters]" in t for t in texts) >= 5
    assert {len(loads_spec(t).network.dims) - 1 for t in texts} == set(range(1, 7))
    assert max(max(loads_spec(t).network.dims) for t in texts) == 8
    options = [_options(i) for i in range(len(specs))]
    assert sum(o.first_equation is not None for o in options) >= 10
    assert sum(not o.display for o in options) >= 10


def test_the_log_parser_sees_flaws():
    log = "Overfull \\hbox (16.7pt too wide) in paragraph\nOverfull \\hbox (0.5pt too wide)\n"
    log += "LaTeX Warning: Reference `x' on page 1 undefined\n"
    assert _flaws(log) == [
        "Overfull \\hbox (16.7pt too wide)",
        "LaTeX Warning: Reference `x' on page 1 undefined",
    ]


#: the batches compiled together: the specs of one option set, in four parts
BATCHES = [(name, part) for name in ("default", "first", "inline") for part in range(4)]


def _batch(name: str, part: int) -> list[int]:
    kinds = {"default": DEFAULT_RENDER, "first": RenderOptions(first_equation="3.1")}
    chosen = [
        i
        for i in range(len(corpus()))
        if (not _options(i).display if name == "inline" else _options(i) == kinds[name])
    ]
    return chosen[part::4]


def _numbers(tex: str) -> list[str]:
    """The equation tags of the form 3.N, in order."""
    return re.findall(r"\\tag\{(3\.[0-9]+)\}", tex)


@pytest.mark.parametrize(("name", "part"), BATCHES)
def test_corpus_typesets_without_flaws(latex, name, part):
    specs = corpus()
    chosen = _batch(name, part)
    assert chosen
    options = _options(chosen[0])
    items = [item for i in chosen for item in _items(*specs[i])]
    tex = document(items, options=options)
    log = compile_pdf(tex).log
    assert _flaws(log) == []
    if options.first_equation is not None:  # numbered 3.1, 3.2, ... without holes
        numbers = _numbers(tex)
        assert numbers == [f"3.{n}" for n in range(1, len(numbers) + 1)]
        assert len(numbers) > 10
