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
    "ResNet": "network",
    "identity": "network",
    "plain_ann": "network",
    "realize": "realization",
    "realize_many": "batch",
    "Batch": "batch",
    "Trace": "realization",
    "LayerTrace": "realization",
    "check": "claims",
    "check_box": "boxclaims",
    "decompose": "regions",
    "compare": "claims",
    "PointClaim": "claims",
    "Verdict": "claims",
    "load_spec": "spec",
    "loads_spec": "spec",
    "Spec": "spec",
    "activation": "activations",
    "Activation": "activations",
    "softmax": "activations",
    "exact": "exact",
    "Limits": "exact",
    "SymresnetError": "errors",
    "InputError": "errors",
    "ParseError": "errors",
    "SpecError": "errors",
    "NetworkError": "errors",
    "ActivationError": "errors",
    "ClaimError": "errors",
    "LimitError": "errors",
    "StudyError": "errors",
    "Study": "study",
    "Sweep": "sweep",
    "realization_pieces": "pieces",
    "Pieces": "pieces",
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
    from symresnet.activations import Activation, activation, softmax
    from symresnet.batch import Batch, realize_many
    from symresnet.boxclaims import check_box
    from symresnet.claims import PointClaim, Verdict, check, compare
    from symresnet.errors import (
        ActivationError,
        ClaimError,
        InputError,
        LimitError,
        NetworkError,
        ParseError,
        SpecError,
        SymresnetError,
    )
    from symresnet.exact import Limits, exact
    from symresnet.network import ResNet, identity, plain_ann
    from symresnet.pieces import Pieces, realization_pieces
    from symresnet.realization import LayerTrace, Trace, realize
    from symresnet.regions import decompose
    from symresnet.spec import Spec, load_spec, loads_spec
    from symresnet.study import Study
    from symresnet.sweep import Sweep
