"""Sphinx configuration of the symresnet documentation site.

Build: ``pip install -e ".[docs]" && sphinx-build -W --keep-going -b html docs docs/_build/html``
(warnings are errors; the tutorial notebook is executed at build time).
"""

from __future__ import annotations

import symresnet

project = "symresnet"
author = "the symresnet developers"
release = symresnet.__version__
extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxarg.ext",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]
nb_execution_mode = "force"
nb_execution_timeout = 180
nb_execution_raise_on_error = True
autodoc_member_order = "bysource"
autodoc_typehints = "none"
html_theme = "alabaster"
suppress_warnings: list[str] = []
