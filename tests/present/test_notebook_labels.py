"""Labels and messages in Jupyter displays (``_repr_latex_``): shown as themselves by MathJax
(which reads only ``$`` and backslash commands in the text) and by the classic notebook's HTML
insertion (where ``<b`` opens a tag and ``&amp;`` is an entity)."""

import re

import sympy
from conftest import EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W

from symresnet import ResNet, check, check_box
from symresnet.base.errors import InputError
from symresnet.claims.box import box_claim
from symresnet.claims.parameter_box import decide_parameter_box
from symresnet.claims.point import PointClaim
from symresnet.claims.verdict import Failure
from symresnet.values.relations import Relation

LABEL = r"a_b & 5% \x <i>"
ZWSP = "\u200b"
NET = ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS, activation="relu")


def _displays():
    b = sympy.Symbol("b", real=True)
    pnet = ResNet(W=[[[1, -1], [2, 1]], [[1, 1]]], B=[[b, 0], [1]], activation="relu")
    pclaim = box_claim(
        pnet,
        quantifier="forall",
        box=[[0, 1], [0, 2]],
        relation="at_most",
        expected=10,
        label=LABEL,
    )
    return {
        "verdict holds": check(NET, input=[-1], equals=[-7], label=LABEL),
        "verdict false": check(NET, input=[-1], equals=[0], label=LABEL),
        "box holds": check_box(NET, forall=[[-2, 1]], at_most=0, label=LABEL),
        "box false": check_box(NET, forall=[[-2, 1]], less=0, label=LABEL),
        "box exists": check_box(NET, exists=[[-4, 0]], equals=-7, label=LABEL),
        "parameter box": decide_parameter_box(pclaim, pnet),
    }


def _plain(text: str) -> str:
    """What a reader sees: zero-width spaces are invisible, ``\\$`` shows as ``$``."""
    return text.replace(ZWSP, "").replace(r"\$", "$")


def test_a_label_with_specials_shows_as_itself_in_every_display():
    for name, obj in _displays().items():
        text = obj._repr_latex_()
        assert f"({LABEL})" in _plain(text), name
        # no LaTeX text escapes (MathJax would show them literally) ...
        assert r"\_" not in text and r"\textbackslash" not in text and r"\&" not in text, name
        # ... and nothing an HTML parser or MathJax reads as markup
        outside = re.sub(r"\$\$.*?\$\$|\$.*?\$", "", text.replace(r"\$", ""), flags=re.S)
        assert not re.search(r"<[A-Za-z/!?]|&[A-Za-z#]|\\[A-Za-z(\[]", outside), (name, outside)


def test_a_failure_message_with_a_tag_and_an_entity_is_not_markup():
    claim = PointClaim(
        input=sympy.ImmutableMatrix([1]),
        expected=sympy.ImmutableMatrix([0]),
        relation=Relation.EQUALS,
        label="f",
    )
    message = "spec.toml: claims[1]: need 0 <b and x<y &amp; \\alpha $5"
    text = Failure(claim, InputError(message))._repr_latex_()
    assert "<b" not in text and "x<y" not in text and "&amp;" not in text and "\\alpha" not in text
    assert _plain(text) == f"(f) could not be decided: {message}"
