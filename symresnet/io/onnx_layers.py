"""The layers of a ResNet (Def. 1.5.1) as an ONNX graph reveals them, and the rewrites reported.

Each activation node of the graph ends a hidden layer ``k``: the affine function before it
(:class:`~symresnet.io.onnx_affine.Affine`, over the states ``x_0, ..., x_{k-1}``) is
``W_k x_{k-1} + B_k + sum_{r < k-1} V_{r,k} x_r`` (a term in ``x_{k-1}`` is ``W_k``; none means
``W_k = 0``).  The graph's output is the output layer ``L`` (identity activation, Def. 1.5.4).
One activation for every hidden layer, as in the book: a second kind is refused.

The book's form is reached by exact rewrites, each reported in words (:meth:`Layers.assemble`):
a skip added *after* an activation (``relu(F x) + x`` fed to ``G``) enters the next layer
through ``G``'s weights (``V_{r,k+1} = W_{k+1}``); a graph ending in an activation or a
residual ``Add`` gets an identity output layer; constants before the first weight (ACAS Xu's
``Sub(mean)``), BatchNormalization and weights with no activation between them are multiplied
out into one affine layer.
"""

from __future__ import annotations

import dataclasses

import flint

from symresnet.base.errors import InputError, OnnxError
from symresnet.io.onnx_affine import Affine
from symresnet.model.activations import Activation
from symresnet.values.limits import Guard, Limits

__all__ = ["Assembled", "Layer", "Layers"]


@dataclasses.dataclass(frozen=True)
class Layer:
    """A hidden layer: its pre-activation and the activation node that ends it."""

    pre: Affine
    activation: Activation
    label: str


@dataclasses.dataclass(frozen=True)
class Assembled:
    """The data of Def. 1.5.1 as exact ``fmpq_mat`` s, with the rewrites in words and, for
    every layer ``k``, the names of the weight and bias tensors it was made from."""

    W: tuple[flint.fmpq_mat, ...]
    B: tuple[flint.fmpq_mat, ...]
    skips: dict[tuple[int, int], flint.fmpq_mat]
    activation: Activation
    rewrites: tuple[str, ...]
    names: tuple[tuple[str, ...], ...] = ()


def _describe(activation: Activation) -> str:
    params = ", ".join(f"{key} = {value}" for key, value in activation.params)
    return activation.name + (f" ({params})" if params else "")


class Layers:
    """The hidden layers found so far, in the order of the graph; ``dims[k]`` is ``l_k``."""

    def __init__(self, input_size: int, *, limits: Limits) -> None:
        self.dims = [input_size]
        self.layers: list[Layer] = []
        self.notes: list[str] = []
        self.limits = limits

    @property
    def count(self) -> int:
        return len(self.layers)

    def guard(self, rows: int, cols: int, what: str) -> None:
        """Refuse a matrix of more than ``Limits.max_entries`` before it is made."""
        Guard(self.limits).entries(rows * cols, what=what)

    def note(self, text: str) -> None:
        """Report a rewrite made while reading a node."""
        self.notes.append(text)

    def activate(
        self,
        pre: Affine,
        activation: Activation,
        label: str,
        *,
        sign: int = 1,
        shift: flint.fmpq_mat | None = None,
    ) -> Affine:
        """End hidden layer ``k`` with ``pre`` and ``activation``; the node's output is
        ``sign * x_k + shift``."""
        if self.layers and activation != self.layers[0].activation:
            first = self.layers[0]
            raise OnnxError(
                f"mixed activations: {label} is {_describe(activation)}, but {first.label} "
                f"(layer 1) is {_describe(first.activation)}; the book's ResNet (Def. 1.5.4) "
                "has one activation for all hidden layers",
                hint="export the model with one kind of activation",
            )
        k = self.count + 1
        n = pre.size
        try:
            self.guard(n, n, f"x_{k} = {label}")
        except InputError as err:
            raise err.located(prefix=label) from None
        self.layers.append(Layer(pre, activation, label))
        self.dims.append(n)
        return Affine.state(k, pre.shape, sign=sign, shift=shift)

    # -- the network ---------------------------------------------------------------------------

    def assemble(self, out: Affine, out_label: str) -> Assembled:
        """``W``, ``B``, ``V`` and the activation, with out the output layer ``L``."""
        L = self.count + 1
        ls = [*self.dims, out.size]
        total = sum(ls[k] * (ls[k - 1] + 1) for k in range(1, L + 1))
        pres = [layer.pre for layer in self.layers] + [out]
        total += sum(
            m.nrows() * m.ncols()
            for k, pre in enumerate(pres, 1)
            for r, m in pre.terms.items()
            if r < k - 1
        )
        Guard(self.limits).network_entries(total)
        W, B, skips = [], [], {}
        rewrites = list(self.notes)
        for k, pre in enumerate(pres, start=1):
            W.append(pre.terms[k - 1] if k - 1 in pre.terms else flint.fmpq_mat(ls[k], ls[k - 1]))
            B.append(pre.const)
            for r, m in sorted(pre.terms.items()):
                if r < k - 1:
                    skips[(r, k)] = m
            rewrites += self._rewrites(k, L, pre, out_label)
        activation = self.layers[0].activation if self.layers else Activation("relu")
        names = tuple(
            tuple(dict.fromkeys(label for kind, label in pre.ops if kind == "weight"))
            for pre in pres
        )
        return Assembled(tuple(W), tuple(B), skips, activation, tuple(rewrites), names)

    def _rewrites(self, k: int, L: int, pre: Affine, out_label: str) -> list[str]:
        out: list[str] = []
        ends = self.layers[k - 1].label if k < L else out_label
        matrices = [label for kind, label in pre.ops if kind == "matrix"]
        if k == L and not matrices:
            out.append(
                f"identity output layer {L} appended: the graph's output {out_label} is not "
                f"an affine map of x_{L - 1} (the book's output layer has no activation)"
            )
        elif any(kind == "composed" for kind, _ in pre.ops):
            out.append(
                f"{', '.join(matrices)}, with no activation between them, multiplied out "
                f"into the one affine map W_{k}, B_{k} of layer {k}"
            )
        first = next((i for i, (kind, _) in enumerate(pre.ops) if kind == "matrix"), len(pre.ops))
        for i, (kind, label) in enumerate(pre.ops):
            if kind == "weight":
                continue
            if kind == "bn":
                out.append(f"{label} folded into W_{k} and B_{k} (layer {k})")
            elif i < first and matrices:
                out.append(f"{label} (a constant, before the weights) folded into W_{k}, B_{k}")
            elif kind == "scale":
                out.append(f"{label} (a constant factor) folded into the weights of layer {k}")
        if k < L and not matrices:
            out.append(f"layer {k} ({ends}) has no weight node: W_{k} is read from the graph as is")
        for r, (adds, after) in sorted(pre.joins.items()):
            if r >= k - 1:
                continue
            if adds and after:
                same = k - 1 in pre.terms and pre.terms[k - 1] == pre.terms[r]
                value = f"W_{k}" if same else f"the weights of {', '.join(after)} applied to x_{r}"
                out.append(
                    f"skip pushed into its consumer: {adds[-1]} adds x_{r} after an activation "
                    f"and the sum reaches layer {k} through {', '.join(after)}, so "
                    f"V_{{{r},{k}}} = {value}"
                )
        for r in sorted(pre.terms):
            if r < k - 1 and not pre.joins.get(r, ((), ()))[0]:
                out.append(f"layer {k} reads x_{r} directly: it becomes the skip V_{{{r},{k}}}")
        if k - 1 not in pre.terms and k > 1:
            out.append(f"layer {k} does not read x_{k - 1}: W_{k} = 0")
        return out

