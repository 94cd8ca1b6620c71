"""A counterexample replayed through the float ONNX network (docs/verification.md).

The exact answer of ``symresnet verify`` is about the network's exact binary weights; a user
running the model in float32 sees rounded outputs.  :func:`replay` evaluates the ONNX file at
the counterexample rounded to float32, through ``onnx.reference.ReferenceEvaluator`` and
through onnxruntime when it is installed, and says whether those float outputs violate the
property too.  Nothing here enters the exact answer: it is a report beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from symresnet.io.onnx_tensors import load_onnx_module
from symresnet.verify.property import Case

__all__ = ["Replay", "replay"]


@dataclass(frozen=True)
class Replay:
    """The float outputs ``y`` of one backend at the float32 input, and whether they meet every
    constraint of the counterexample's case (``agrees``: the float network violates too)."""

    backend: str
    y: tuple[float, ...]
    agrees: bool


def _input(model: Any) -> tuple[str, tuple[int, ...]]:
    inits = {t.name for t in model.graph.initializer}
    graph_input = next(i for i in model.graph.input if i.name not in inits)
    dims = tuple(d.dim_value if d.dim_value > 0 else 1 for d in graph_input.type.tensor_type.shape.dim)
    return graph_input.name, dims


def _agrees(case: Case, y: Any) -> bool:
    yq = [Fraction(float(v)) for v in y]
    return all(
        sum((c * v for c, v in zip(k.coefficients, yq, strict=True)), Fraction(0)) <= k.rhs
        for k in case.constraints
    )


def replay(path: str | Path, x: Sequence[Fraction], case: Case) -> list[Replay]:
    """Evaluate the ONNX file ``path`` at ``x`` rounded to float32 (module docstring)."""
    onnx = load_onnx_module()
    model = onnx.load(str(path))
    name, shape = _input(model)
    feed = np.array([float(v) for v in x], dtype=np.float32).reshape(shape)
    out: list[Replay] = []
    from onnx.reference import ReferenceEvaluator  # noqa: PLC0415 (optional dependency)

    outputs: Any = ReferenceEvaluator(model).run(None, {name: feed})
    y = np.asarray(outputs[0], dtype=np.float64).ravel()
    out.append(Replay("onnx.reference", tuple(float(v) for v in y), _agrees(case, y)))
    try:
        import onnxruntime  # noqa: PLC0415 (optional dependency)
    except ImportError:
        return out
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    y = np.asarray(session.run(None, {name: feed})[0], dtype=np.float64).ravel()
    out.append(Replay("onnxruntime", tuple(float(v) for v in y), _agrees(case, y)))
    return out
