"""symresnet: exact computation with the fully-connected ResNets of Jentzen, Kuckuck and
von Wurstemberger, *Mathematical Introduction to Deep Learning*, Section 1.5.

>>> from symresnet import ResNet, realize, check
>>> net = ResNet(W=[[[1]], [[1], [2]], [[1, 0], [0, 1]], [[2, 2]]],
...              B=[[0], [0, 1], [0, 0], [1]], skips={(0, 4): [[-1]]})
>>> realize(net, [5]).output[0]
28

Names are imported lazily so that ``import symresnet`` stays fast.
"""

# ruff: noqa: F401  (the TYPE_CHECKING imports exist for type checkers; __all__ is built from _EXPORTS)
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS = {
    "ResNet": "model.network",
    "identity": "model.network",
    "plain_ann": "model.network",
    "realize": "compute.realization",
    "realize_many": "compute.batch",
    "Batch": "compute.batch",
    "Trace": "compute.realization",
    "LayerTrace": "compute.realization",
    "check": "claims.point",
    "check_box": "claims.box",
    "decompose": "compute.regions",
    "compare": "claims.point",
    "PointClaim": "claims.point",
    "Verdict": "claims.point",
    "load_spec": "io.spec",
    "loads_spec": "io.spec",
    "Spec": "io.spec",
    "activation": "model.activations",
    "Activation": "model.activations",
    "softmax": "model.activations",
    "exact": "values.exact",
    "Limits": "values.exact",
    "SymresnetError": "base.errors",
    "InputError": "base.errors",
    "ParseError": "base.errors",
    "SpecError": "base.errors",
    "NetworkError": "base.errors",
    "ActivationError": "base.errors",
    "ClaimError": "base.errors",
    "LimitError": "base.errors",
    "StudyError": "base.errors",
    "Study": "claims.parameter",
    "Sweep": "claims.sweep",
    "realization_pieces": "compute.pieces",
    "Pieces": "compute.pieces",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'symresnet' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"symresnet.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from symresnet.model.activations import Activation, activation, softmax
    from symresnet.compute.batch import Batch, realize_many
    from symresnet.claims.box import check_box
    from symresnet.claims.point import PointClaim, Verdict, check, compare
    from symresnet.base.errors import (
        ActivationError,
        ClaimError,
        InputError,
        LimitError,
        NetworkError,
        ParseError,
        SpecError,
        SymresnetError,
    )
    from symresnet.values.exact import Limits, exact
    from symresnet.model.network import ResNet, identity, plain_ann
    from symresnet.compute.pieces import Pieces, realization_pieces
    from symresnet.compute.realization import LayerTrace, Trace, realize
    from symresnet.compute.regions import decompose
    from symresnet.io.spec import Spec, load_spec, loads_spec
    from symresnet.claims.parameter import Study
    from symresnet.claims.sweep import Sweep
