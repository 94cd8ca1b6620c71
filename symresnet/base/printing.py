"""The printing protocol: how engine objects reach the formatters without importing them.

Printing goes one way.  The engine (``compute``, ``claims``, ``explain``) builds data; the layer
``present`` lays it out.  An engine type that should print itself (``str(trace)`` in a terminal,
``trace._repr_latex_()`` in Jupyter) mixes in :class:`Printable`, which asks the printer
*registered* for an output kind (``"text"``, ``"latex"``, ``"json"``) to print it.  A
:class:`Printer` finds its method by the type of the object, walking the type's MRO for
``_print_<ClassName>``, as sympy's printers do (``sympy.printing.printer.Printer._print``).

Printers are registered by dotted name (``"symresnet.present.printers:TextPrinter"``) and loaded
on first use, so that the engine never imports ``present``: the package facade
(``symresnet/__init__.py``) registers the built-in printers; a user may register their own
(:func:`register_printer`) to change how every engine object prints.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any, ClassVar

__all__ = ["Printable", "Printer", "printer", "register_printer"]


class Printer:
    """Prints an object with the ``_print_<ClassName>`` method of the first class in its MRO
    that has one; options are keyword arguments passed on to that method."""

    #: the output kind this printer makes (``"text"``, ``"latex"``, ``"json"``)
    kind: ClassVar[str] = ""

    def doprint(self, obj: object, **options: Any) -> Any:
        for cls in type(obj).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                return method(obj, **options)
        raise TypeError(f"{type(self).__name__} cannot print a {type(obj).__name__}")


#: output kind -> "module:ClassName" of its printer, or the loaded printer
_REGISTRY: dict[str, str | Printer] = {}
_LOCK = threading.Lock()


def register_printer(kind: str, target: str | Printer) -> None:
    """Make ``target`` (a :class:`Printer`, or ``"module:ClassName"`` loaded on first use) the
    printer of output kind ``kind``."""
    if isinstance(target, str) and target.count(":") != 1:
        raise ValueError(f"a printer is named 'module:ClassName', got {target!r}")
    with _LOCK:
        _REGISTRY[kind] = target


def printer(kind: str) -> Printer:
    """The printer registered for ``kind`` (loaded and instantiated on first use)."""
    with _LOCK:
        target = _REGISTRY.get(kind)
        if target is None:
            raise LookupError(f"no printer is registered for {kind!r}: use register_printer()")
        if isinstance(target, str):
            module, name = target.split(":")
            loaded = getattr(importlib.import_module(module), name)()
            if not isinstance(loaded, Printer):
                raise TypeError(f"{target} is not a Printer")
            _REGISTRY[kind] = target = loaded
        return target


class Printable:
    """Mixin: ``str()`` and Jupyter's ``_repr_latex_`` through the registered printers."""

    __slots__ = ()

    def __str__(self) -> str:
        return str(printer("text").doprint(self))

    def _repr_latex_(self) -> str:
        return str(printer("latex").doprint(self))
