"""The derivation tree: worked solutions as data, in the order in which the book writes them.

Formulas are small frozen dataclasses (:class:`Var`, :class:`MatrixTerm`, :class:`Product`,
:class:`Sum`, :class:`Apply`, ...); a :class:`Chain` is ``lhs = ... = rhs`` (or another relation
per :class:`Link`), a :class:`Step` one layer of Example 1.5.6's proof, a :class:`Derivation` the
whole solution.  Nothing here is LaTeX or plain text: :mod:`symresnet.present.terms` and
:mod:`symresnet.present.text` print the tree; :mod:`symresnet.explain.derivation` builds it,
checking every ``=`` exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, Union, cast

import sympy

from symresnet.model.activations import Activation
from symresnet.model.network import Matrix
from symresnet.values.relations import Relation

if TYPE_CHECKING:  # pragma: no cover
    from symresnet.explain.box import BoxProof
    from symresnet.explain.cases import CaseAnalysis
    from symresnet.explain.piecewise import PiecewiseForm

__all__ = [
    "DEFAULT_OPTIONS",
    "LINK_RELATIONS",
    "VAR_NAMES",
    "Apply",
    "Atom",
    "Chain",
    "Conclusion",
    "Condition",
    "Derivation",
    "DerivationOptions",
    "LayerActivation",
    "LayerSpace",
    "Link",
    "ListTerm",
    "MatrixTerm",
    "NameLabel",
    "Problem",
    "Product",
    "Realization",
    "SetTerm",
    "SkipFamily",
    "SkipSpace",
    "SkipSum",
    "Space",
    "Step",
    "Sum",
    "Term",
    "TupleTerm",
    "ValueTerm",
    "Var",
]


#: relations a :class:`Link` may state (the claim relations of
#: :class:`~symresnet.values.relations.Relation`, ``in`` for membership and ``defines`` for ``:=``)
LINK_RELATIONS = (*(r.value for r in Relation), "in", "defines")

#: names a :class:`Var` may have (the book's letters; ``Phi`` is the network, ``V`` alone the family)
VAR_NAMES = ("W", "B", "V", "x", "l", "k", "S", "Phi")


# -- terms ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Var:
    """One of the book's letters with indices: ``W_k``, ``B_k``, ``V_{r,k}``, ``x_{k-1}``, ``l_k``,
    ``S``, ``Phi``; an index is a number or one of the fixed strings ``k``, ``k-1``, ``r``."""

    name: str
    index: tuple[int | str, ...] = ()

    def __post_init__(self) -> None:
        if self.name not in VAR_NAMES:
            raise ValueError(f"unknown letter {self.name!r}")


@dataclasses.dataclass(frozen=True)
class Atom:
    """One exact scalar (a number, a parameter, a named value)."""

    value: sympy.Expr


@dataclasses.dataclass(frozen=True)
class MatrixTerm:
    """A matrix or vector written out entry by entry (``W_k``, ``B_k``, ``V_{r,k}``, the ``x_r``
    substituted into a layer): always in brackets, ``(1)`` included, as the book does."""

    value: Matrix


@dataclasses.dataclass(frozen=True)
class ValueTerm:
    """A computed vector: a pre-activation, an ``x_k``, the value of the realization.

    The book writes a 1-vector of this kind as a number (``M_{r,1}(28) = 28``); ``point`` marks
    an input or output point of the realization (``R(Phi, V)(5)``).
    """

    value: Matrix
    point: bool = False


@dataclasses.dataclass(frozen=True)
class Product:
    """Factors multiplied in the written order (``W_k x_{k-1}``, ``(2 2)(5; 11)``)."""

    factors: tuple[Term, ...]


@dataclasses.dataclass(frozen=True)
class Sum:
    """Terms added in the written order (``W_k x_{k-1} + B_k + V_{r,k} x_r``)."""

    terms: tuple[Term, ...]


@dataclasses.dataclass(frozen=True)
class LayerActivation:
    """The book's ``a 1_{(0,L)}(k) + id_R 1_{{L}}(k)`` of (1.151) (Def. 1.5.4)."""

    activation: Activation
    L: int


@dataclasses.dataclass(frozen=True)
class Apply:
    """``M_{f,d}(argument)``: ``f`` applied to each entry (Def. 1.2.1); ``dim`` is ``l_k``."""

    function: Activation | LayerActivation
    dim: Term
    argument: Term


@dataclasses.dataclass(frozen=True)
class SkipSum:
    """``sum_{r in N_0, (r,k) in S} V_{r,k} x_r`` of (1.151)."""


@dataclasses.dataclass(frozen=True)
class Realization:
    """``(R^R_a(Phi, V))(argument)`` (Def. 1.5.4)."""

    activation: Activation
    argument: Term


@dataclasses.dataclass(frozen=True)
class TupleTerm:
    """``(a, b, ...)``: a pair ``(W_k, B_k)``, a skip ``(r, k)``, the network ``Phi``."""

    items: tuple[Term, ...]


@dataclasses.dataclass(frozen=True)
class SetTerm:
    """``{a, b, ...}`` (``\\emptyset`` when empty)."""

    items: tuple[Term, ...]


@dataclasses.dataclass(frozen=True)
class ListTerm:
    """``a, b, ...`` without brackets (``a, b in R``)."""

    items: tuple[Term, ...]


@dataclasses.dataclass(frozen=True)
class Space:
    """``R^d`` (``R`` when ``dim`` is ``None``)."""

    dim: int | None = None


@dataclasses.dataclass(frozen=True)
class LayerSpace:
    """``X_{k=1}^L (R^{l_k x l_{k-1}} x R^{l_k})`` of (1.146)."""

    L: int


@dataclasses.dataclass(frozen=True)
class SkipFamily:
    """``(V_{r,k})_{(r,k) in S}`` of (1.149)."""


@dataclasses.dataclass(frozen=True)
class SkipSpace:
    """``X_{(r,k) in S} R^{l_k x l_r}`` of (1.149)."""


@dataclasses.dataclass(frozen=True)
class Condition:
    """A condition on the parameters (a sympy boolean), for claims that hold for some values only."""

    value: sympy.Basic


Term = Union[  # noqa: UP007 (a runtime alias used in isinstance-free pattern matching)
    Var,
    Atom,
    MatrixTerm,
    ValueTerm,
    Product,
    Sum,
    Apply,
    SkipSum,
    Realization,
    TupleTerm,
    SetTerm,
    ListTerm,
    Space,
    LayerSpace,
    SkipFamily,
    SkipSpace,
    Condition,
]


@dataclasses.dataclass(frozen=True)
class Link:
    """``<relation> term`` in a :class:`Chain`; ``negated`` writes ``!=``, ``not <=``, ..."""

    relation: str
    term: Term
    negated: bool = False

    def __post_init__(self) -> None:
        if self.relation not in LINK_RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}")


@dataclasses.dataclass(frozen=True)
class Chain:
    """``first rel_1 t_1 rel_2 t_2 ...``: one displayed formula (``x_2 = M(...) = ... = (5; 11)``)."""

    first: Term
    links: tuple[Link, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        return (self.first, *(link.term for link in self.links))


# -- the tree ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NameLabel:
    """The name of an abbreviated value: ``x_{k,i}`` (an entry of ``x_k``) or ``z_{k,i}`` (of the
    pre-activation of layer ``k``)."""

    kind: Literal["x", "z"]
    k: int
    i: int


@dataclasses.dataclass(frozen=True)
class Step:
    """Layer ``k`` as in (1.153)-(1.156): ``x_k = M(symbolic) = M(substituted) = M(summed) = x_k``.

    ``chain.links`` are the four stages, all ``=``: symbolic ``M_{a,l_k}(W_k x_{k-1} + B_k +
    V_{r,k} x_r)`` (only the skips that exist), substituted (the matrices and vectors), summed
    (the pre-activation) and activated (the result).  ``definitions`` name large values
    introduced in this step (``x_{k,i} := ...``).
    """

    k: int
    chain: Chain
    definitions: tuple[Chain, ...] = ()

    # the four stages are built as the docstring says (explain.derivation): those term types

    @property
    def symbolic(self) -> Apply:
        return cast(Apply, self.chain.links[0].term)

    @property
    def substituted(self) -> Apply:
        return cast(Apply, self.chain.links[1].term)

    @property
    def summed(self) -> Apply:
        return cast(Apply, self.chain.links[2].term)

    @property
    def activated(self) -> ValueTerm:
        return cast(ValueTerm, self.chain.links[3].term)


@dataclasses.dataclass(frozen=True)
class Problem:
    """The data of the exercise as the book states it, (1.146)-(1.149) / (1.157)-(1.160)."""

    activation: Activation
    dims: tuple[Chain, ...]
    skip_set: Chain
    network: Chain
    layers: tuple[Chain, ...]
    skip_family: Chain
    skips: tuple[Chain, ...]
    parameters: Chain | None


@dataclasses.dataclass(frozen=True)
class Conclusion:
    """The claim and its verdict: ``status`` is ``holds``, ``fails``, ``depends`` or ``undecided``.

    ``statement`` is the claim (``(R(Phi, V))(-1) = 0``, (1.161)); ``result`` the value found
    followed, for ``holds``/``fails``, by the relation to the claimed value (``= -7 != 0``);
    ``failing`` the (1-based) output entries where the relation fails; ``when`` the exact
    condition on the parameters for ``depends`` (``None`` when too long to print, then
    ``when_omitted``); ``note`` what was proven for ``undecided`` and ``approx`` the value to
    30 digits.
    """

    label: str | None
    relation: str
    status: str
    statement: Chain
    result: Chain
    value: ValueTerm
    expected: ValueTerm
    failing: tuple[int, ...] = ()
    when: Condition | None = None
    when_omitted: bool = False
    note: str = ""
    approx: tuple[sympy.Expr, ...] = ()


@dataclasses.dataclass(frozen=True)
class Derivation:
    """The worked solution for one realization or claim, in the shape of Example 1.5.6's proof.

    ``question`` is the realization asked for, ``vectors`` the ``x_k in R^{l_k}``, ``start``
    ``x_0 = ...``, ``recursion`` (1.151), ``realization`` (1.152), ``steps`` (1.153)-(1.156),
    ``result`` ``(R(Phi, V))(x_0) = x_L``'s value and ``claim`` the verdict (or ``None`` for a
    plain evaluation).  ``names`` lists the abbreviated values (see the module docstring).
    """

    title: str | None
    L: int
    dims: tuple[int, ...]
    problem: Problem
    question: Realization
    vectors: tuple[Chain, ...]
    indices: Chain
    start: Chain
    recursion: Chain
    realization: Chain
    steps: tuple[Step, ...]
    result: Chain
    claim: Conclusion | None
    names: Mapping[sympy.Symbol, NameLabel]
    #: a claim over a box (:class:`symresnet.explain.box.BoxProof`), else ``None``
    box: BoxProof | None = None
    #: a parameter study's cases (:class:`symresnet.explain.cases.CaseAnalysis`), else ``None``
    cases: CaseAnalysis | None = None
    #: a symbolic input (``derive --at x``): the realization piece by piece, each piece
    #: derived (:class:`symresnet.explain.piecewise.PiecewiseForm`), else ``None``
    piecewise: PiecewiseForm | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class DerivationOptions:
    """How values are shown: ``max_digits`` (digits of numerator and denominator together) and
    ``max_ops`` (``sympy.count_ops``) above which a value is named instead of written out;
    ``max_condition_ops`` above which a parameter condition is not printed.  For a symbolic
    input (:mod:`symresnet.explain.piecewise`): the pieces of the realization are each derived
    when there are at most ``max_derived_pieces``, else only the first; ``piece`` (from 1)
    derives that piece alone; ``plot`` adds the graph of a realization of one symbol;
    ``piecewise=False`` leaves the piecewise form out (the closed form only).  For a box proof,
    ``box_regions`` and ``region``: which regions are derived in full (docs/derivations.md, "Box
    proofs")."""

    max_digits: int = 40
    max_ops: int = 12
    max_condition_ops: int = 200
    max_derived_pieces: int = 6
    piece: int | None = None
    plot: bool = False
    piecewise: bool = True
    #: a box proof over more regions than this summarises them in a table and derives one of
    #: them in full (the one attaining the bound, or ``region``); up to this many, all in full
    box_regions: int = 3
    #: the region (numbered as ``symresnet regions`` numbers them, from 1) that a box proof
    #: derives in full, after the table of all regions; ``None``: see ``box_regions``
    region: int | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if (field.name in ("piece", "region") and value is None) or field.name in (
                "plot",
                "piecewise",
            ):
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{field.name} must be a positive integer, got {value!r}")


DEFAULT_OPTIONS = DerivationOptions()
