"""The Jinja2 environment of the templates: one's own templates (tried first, sandboxed,
strict), a missing template folder, and the templates shipped with the package."""

from __future__ import annotations

from importlib import resources
from importlib.util import find_spec

import pytest

from symresnet import check, realize
from symresnet.base.errors import RenderError
from symresnet.examples import example_text
from symresnet.io.spec import loads_spec
from symresnet.present.render import RenderOptions, document, fragment


def _exercise_net():
    spec = loads_spec(example_text("exercise-1.5.1"), format="toml")
    return spec.network


def test_own_templates(tmp_path):
    (tmp_path / "derivation.tex.j2").write_text(
        "TITLE=<< d.title >>; VALUE=<< d.claim.value >>; {#1} <# a comment #>% a LaTeX comment\n"
    )
    tex = document(
        check(_exercise_net(), input=[-1], equals=[0]),
        title="A & B",
        options=RenderOptions(template_dir=tmp_path),
    )
    assert "TITLE=A \\& B; VALUE=-7; {#1} % a LaTeX comment" in tex
    assert tex.startswith(r"\documentclass")  # document.tex.j2 still the shipped one


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("<< d.__class__ >>", "not allowed|undefined"),
        ("<< d.title.__class__.__mro__ >>", "not allowed|undefined"),
        ("<< nothing >>", "undefined"),
        ("<% if %>", "syntax error"),
        ('<% include "../../../etc/passwd" %>', "not found"),
    ],
)
def test_own_templates_are_sandboxed_and_strict(tmp_path, template, message):
    (tmp_path / "fragment.tex.j2").write_text(template)
    with pytest.raises(RenderError, match=message):
        fragment(realize(_exercise_net(), [2]), options=RenderOptions(template_dir=tmp_path))


def test_missing_template_folder(tmp_path):
    with pytest.raises(RenderError, match="is not a folder"):
        fragment(
            realize(_exercise_net(), [2]), options=RenderOptions(template_dir=tmp_path / "nope")
        )


def test_templates_ship_with_the_package():
    # installed (pip install . or -e .): the package symresnet.templates; a source checkout run
    # without installing falls back to the top-level templates/ folder
    from symresnet.present.templates import _template_root

    root = (
        resources.files("symresnet.templates")
        if find_spec("symresnet.templates")
        else _template_root()
    )
    files = {p.name for p in root.iterdir()}
    assert {
        "document.tex.j2",
        "fragment.tex.j2",
        "derivation.tex.j2",
        "macros.tex.j2",
        "notebook.tex.j2",
    } <= files
