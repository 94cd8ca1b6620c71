"""Plain-text output for terminals: traces and verdicts, layer by layer, in MATH.md's notation.

Vectors are written ``(5; 11)`` (a column), matrices ``(1 0; 0 1)`` (rows separated by ``;``).
"""

from __future__ import annotations

import sympy

from symresnet.exact import exact_str

__all__ = ["format_matrix", "format_trace", "format_vector", "format_verdict"]


def _entry(e: sympy.Expr) -> str:
    s = exact_str(e)
    return f"[{s}]" if " " in s else s


def format_matrix(m: sympy.MatrixBase) -> str:
    """``(1 0; 0 1)``: entries separated by spaces, rows by ``;``."""
    return "(" + "; ".join(" ".join(_entry(e) for e in m.row(i)) for i in range(m.rows)) + ")"


def format_vector(v: sympy.MatrixBase) -> str:
    """A column vector as ``(5; 11)``."""
    return "(" + "; ".join(_entry(e) for e in v) + ")"


def _layer_lines(trace) -> list[str]:
    net = trace.network
    lines = [f"x_0 = {format_vector(trace.input)}"]
    for layer in trace.layers:
        k = layer.k
        act = f"M_{{{layer.activation.text},{net.dims[k]}}}"
        symbolic = " + ".join(
            [f"W_{k} x_{k - 1}", f"B_{k}", *(f"V_{{{r},{k}}} x_{r}" for r, _ in layer.skip_terms)]
        )
        substituted = " + ".join(
            [
                f"{format_matrix(net.W[k - 1])}{format_vector(trace.x(k - 1))}",
                format_vector(layer.B),
                *(
                    f"{format_matrix(net.skips[(r, k)])}{format_vector(trace.x(r))}"
                    for r, _ in layer.skip_terms
                ),
            ]
        )
        lines.append(
            f"x_{k} = {act}({symbolic})\n      = {act}({substituted})\n"
            f"      = {act}({format_vector(layer.preactivation)}) = {format_vector(layer.output)}"
        )
    return lines


def format_trace(trace, *, title: str | None = None) -> str:
    """The realization layer by layer, ending with ``R(Phi, V)(x_0) = x_L``."""
    head = f"{title}: " if title else ""
    lines = [f"{head}realization at x_0 = {format_vector(trace.input)}"]
    lines += ["  " + line.replace("\n", "\n  ") for line in _layer_lines(trace)]
    lines.append(f"  R(Phi, V)({_point(trace.input)}) = {_point(trace.output)}")
    return "\n".join(lines)


def _point(v: sympy.MatrixBase) -> str:
    return _entry(v[0]) if len(v) == 1 else format_vector(v)


def format_verdict(verdict, *, title: str | None = None) -> str:
    """The trace and one sentence: holds / is false (the value is ...) / depends / undecided."""
    c = verdict.claim
    name = f"({c.label})" if c.label else "the claim"
    statement = f"R(Phi, V)({_point(c.input)}) {c.symbol} {_point(c.expected)}"
    value = _point(verdict.value)
    if verdict.status == "holds":
        sentence = f"{name} {statement}: HOLDS (the value is {value})"
    elif verdict.status == "fails":
        sentence = f"{name} {statement}: FALSE, the value is {value}"
    elif verdict.status == "depends":
        sentence = f"{name} {statement}: holds exactly when {exact_str(verdict.when)}"
    else:
        sentence = f"{name} {statement}: UNDECIDED ({verdict.note}); the value is {value}"
    return format_trace(verdict.trace, title=title) + "\n" + sentence
