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

from symresnet.base.printing import register_printer as _register_printer

__version__ = "0.1.0"

# The printers of the printing protocol (symresnet.base.printing): the engine's objects print
# through these without importing the layer `present`; each is loaded on first use.
_register_printer("text", "symresnet.present.printers:TextPrinter")
_register_printer("latex", "symresnet.present.printers:LatexPrinter")
_register_printer("json", "symresnet.present.printers:JsonPrinter")

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
    "compare": "values.relations",
    "PointClaim": "claims.point",
    "Verdict": "claims.verdict",
    "load_spec": "io.spec",
    "loads_spec": "io.spec",
    "Spec": "claims.spec",
    "activation": "model.activations",
    "Activation": "model.activations",
    "softmax": "model.activations",
    "exact": "values.exact",
    "Limits": "values.limits",
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
    # added with the one claim model (docs/architecture.md)
    "check_spec": "claims.spec",
    "decide": "claims.spec",
    "Relation": "values.relations",
    "ParameterClaim": "claims.point",
    "BoxClaim": "claims.box",
    "BoxVerdict": "claims.box_verdict",
    "Failure": "claims.verdict",
    "Report": "claims.spec",
    "register_printer": "base.printing",
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
    from symresnet.base.errors import (
        ActivationError,
        ClaimError,
        InputError,
        LimitError,
        NetworkError,
        ParseError,
        SpecError,
        StudyError,
        SymresnetError,
    )
    from symresnet.base.printing import register_printer
    from symresnet.claims.box import BoxClaim, check_box
    from symresnet.claims.box_verdict import BoxVerdict
    from symresnet.claims.parameter import Study
    from symresnet.claims.point import ParameterClaim, PointClaim, check
    from symresnet.claims.spec import Report, Spec, check_spec, decide
    from symresnet.claims.sweep import Sweep
    from symresnet.claims.verdict import Failure, Verdict
    from symresnet.compute.batch import Batch, realize_many
    from symresnet.compute.pieces import Pieces, realization_pieces
    from symresnet.compute.realization import LayerTrace, Trace, realize
    from symresnet.compute.regions import decompose
    from symresnet.io.spec import load_spec, loads_spec
    from symresnet.model.activations import Activation, activation, softmax
    from symresnet.model.network import ResNet, identity, plain_ann
    from symresnet.values.exact import exact
    from symresnet.values.limits import Limits
    from symresnet.values.relations import Relation, compare
