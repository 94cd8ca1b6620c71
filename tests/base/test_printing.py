"""base.printing: the printing protocol (engine objects print without importing present)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from symresnet.base.printing import Printable, Printer, printer, register_printer


class _Base(Printable):
    pass


@dataclasses.dataclass(frozen=True)
class _Child(_Base):
    n: int


class _Shouts(Printer):
    kind = "text"

    def _print__Base(self, obj: _Base) -> str:
        return "a base"


def test_the_method_is_found_along_the_mro():
    assert _Shouts().doprint(_Child(1)) == "a base"


def test_an_unprintable_type_is_a_type_error():
    with pytest.raises(TypeError, match="_Shouts cannot print a int"):
        _Shouts().doprint(3)


def test_a_registered_printer_serves_str(monkeypatch):
    monkeypatch.setattr("symresnet.base.printing._REGISTRY", {})
    register_printer("text", _Shouts())
    assert str(_Child(2)) == "a base"
    with pytest.raises(LookupError, match="no printer is registered for 'latex'"):
        _Child(2)._repr_latex_()


def test_a_printer_is_named_module_colon_class():
    with pytest.raises(ValueError, match="module:ClassName"):
        register_printer("text", "symresnet.present.printers.TextPrinter")


def test_the_engine_prints_without_importing_present_first():
    # a fresh interpreter: realize, then str() loads the registered printer on first use
    code = (
        "import sys; from symresnet import ResNet, realize, check\n"
        "net = ResNet(W=[[[1]], [[1], [2]], [[1, 0], [0, 1]], [[2, 2]]],"
        " B=[[0], [0, 1], [0, 0], [1]], skips={(0, 4): [[-1]]})\n"
        "t = realize(net, [5])\n"
        "assert 'symresnet.present.printers' not in sys.modules\n"
        "print(str(t).splitlines()[-1]); print(check(net, input=[5], equals=[28]).status)\n"
        "print('28' in t._repr_latex_() and 'x_{4}' in t._repr_latex_())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    last, status, latex = out.stdout.strip().splitlines()
    assert last.endswith("= 28")
    assert status == "holds"
    assert printer("latex").kind == "latex"
    assert latex == "True"
