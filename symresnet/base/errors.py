"""The one error hierarchy of symresnet.

Every error a user can cause is an :class:`InputError` (the command line turns it into one
line on stderr and exit status 2).  Each carries the file, the place in it and what to do.
Errors that are *not* the user's fault (a failed internal check) derive from
:class:`InternalError` and mean a bug.
"""

from __future__ import annotations

__all__ = [
    "ActivationError",
    "ClaimError",
    "CompileError",
    "DerivationCheckError",
    "InputError",
    "InternalError",
    "LimitError",
    "NetworkError",
    "OnnxError",
    "ParseError",
    "PropertyError",
    "RenderError",
    "SpecError",
    "StudyError",
    "SymresnetError",
    "join_place",
    "shown",
]


#: longest message printed for an error (user text quoted in it is cut to fit)
MAX_MESSAGE = 600


def shown(value: object, width: int = 40) -> str:
    """``repr(value)`` for a message: cut to ``width`` characters, and never failing (Python
    refuses ``repr`` of an int of more than 4,300 digits)."""
    try:
        text = repr(value)
    except ValueError:
        text = f"<{type(value).__name__} too large to show>"
    return text if len(text) <= width else text[: width - 3] + "..."


def join_place(prefix: str, place: str) -> str:
    """Join two place fragments: ``join_place("layers[2]", "W[0][1]") == "layers[2].W[0][1]"``."""
    if not prefix:
        return place
    if not place:
        return prefix
    if place.startswith("["):
        return prefix + place
    return f"{prefix}.{place}"


class SymresnetError(Exception):
    """Base class of every error symresnet raises on purpose."""


class InputError(SymresnetError):
    """Bad input: a message naming the file, the place in it, what is wrong and what to do.

    ``str(err)`` is the one line the command line prints, e.g.
    ``exercise.toml: layers[2].W: expected 3 rows of 2 entries (l_2 x l_1), got 2 rows``.
    """

    def __init__(self, message: str, *, place: str = "", file: str | None = None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.place = place
        self.file = file
        self.hint = hint

    def located(self, *, file: str | None = None, prefix: str = "") -> InputError:
        """Return a copy of this error with ``prefix`` prepended to its place and ``file`` set."""
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        Exception.__init__(new, self.message)
        new.place = join_place(prefix, self.place)
        if file is not None and self.file is None:
            new.file = file
        return new

    def __str__(self) -> str:
        head = ": ".join(part for part in (self.file, self.place) if part)
        text = f"{head}: {self.message}" if head else self.message
        if self.hint:
            text += f" ({self.hint})"
        # one line, always, and short: user text inside messages must not break or flood it
        text = " ".join(text.split())
        return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


class ParseError(InputError):
    """An entry or expression does not follow the grammar of :mod:`symresnet.values.parser`."""

    def __init__(
        self,
        message: str,
        *,
        position: int | None = None,
        place: str = "",
        file: str | None = None,
        hint: str = "",
    ):
        super().__init__(message, place=place, file=file, hint=hint)
        self.position = position


class LimitError(InputError):
    """A resource bound (size, depth, digits, exponent, ...) was exceeded; see docs/security.md."""


class SpecError(InputError):
    """A spec file is malformed: wrong syntax, wrong types, missing or unknown keys."""


class StudyError(InputError):
    """A parameter study or sweep is asked wrongly: an unknown parameter, an empty or unbounded
    range, a value outside the declared bounds, a parameter left without a value."""


class PropertyError(InputError):
    """A property file (VNN-LIB) is malformed or asks what the verifier cannot answer."""


class NetworkError(InputError):
    """A description is not a fully-connected ResNet (Def. 1.5.1, 1.5.2): shapes or skips wrong."""


class OnnxError(InputError):
    """An ONNX file (or a PyTorch module exported to ONNX) that symresnet cannot read exactly
    into the book's form: an unknown operator, wrong shapes, a non-finite weight, ... The
    message names the node and its operator."""


class ActivationError(InputError):
    """Unknown activation, bad activation parameters, or an activation not allowed here."""


class ClaimError(InputError):
    """A claim is malformed (wrong input or output length, unknown relation, ...)."""


class RenderError(InputError):
    """A template or rendering option is wrong (missing template, undefined variable, ...)."""


class CompileError(SymresnetError):
    """The LaTeX engine failed or is missing; the message carries LaTeX's own error lines.

    ``errors`` are those lines (``! Undefined control sequence.``, ``l.12 ...``), ``log`` the
    whole log (empty if LaTeX never ran) and ``log_path`` where it was saved, if it was.
    """

    def __init__(
        self, message: str, *, errors: tuple[str, ...] = (), log: str = "", log_path: object = None
    ):
        super().__init__(message)
        self.errors = errors
        self.log = log
        self.log_path = log_path


class InternalError(SymresnetError):
    """A bug: something symresnet checks about itself failed.  Please report it."""


class DerivationCheckError(InternalError):
    """An ``=`` in a derivation did not hold exactly: the derivation is not printed."""
