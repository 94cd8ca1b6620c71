"""The book's worked examples, shipped as spec files (Example 1.5.6 and Exercise 1.5.1)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["EXAMPLES", "example_path", "example_text"]

#: built-in example name -> file name
EXAMPLES = {
    "example-1.5.6": "example-1.5.6.toml",
    "exercise-1.5.1": "exercise-1.5.1.toml",
}


def example_text(name: str) -> str:
    """The text of a built-in example spec (``"example-1.5.6"`` or ``"exercise-1.5.1"``)."""
    return resources.files(__name__).joinpath(EXAMPLES[name]).read_text(encoding="utf-8")


def example_path(name: str) -> Path:
    """A filesystem path of a built-in example (valid while the package is installed)."""
    return Path(str(resources.files(__name__).joinpath(EXAMPLES[name])))
