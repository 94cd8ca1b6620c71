"""The one bounded reader of input files: at most ``Limits.max_file_bytes`` are read, and a
missing, unreadable or too large file is an :class:`~symresnet.base.errors.InputError` of the
caller's kind naming the file (spec files, ONNX models)."""

from __future__ import annotations

from pathlib import Path

from symresnet.base.errors import InputError, LimitError
from symresnet.values.limits import Limits

__all__ = ["check_size", "read_bounded"]


def read_bounded(
    path: str | Path, *, limits: Limits, error: type[InputError], what: str
) -> bytes:
    """The bytes of ``path``; ``what`` names the expected kind of file ("a spec file")."""
    source = str(path)
    try:
        with Path(path).open("rb") as fh:
            raw = fh.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise error("no such file", file=source) from None
    except IsADirectoryError:
        raise error(f"is a directory, not {what}", file=source) from None
    except OSError as err:
        raise error(f"cannot read: {err.strerror}", file=source) from None
    check_size(raw, limits=limits, source=source)
    return raw


def check_size(raw: bytes, *, limits: Limits, source: str) -> None:
    """A :class:`LimitError` when more than ``Limits.max_file_bytes`` were read."""
    if len(raw) > limits.max_file_bytes:
        raise LimitError(
            f"file larger than {limits.max_file_bytes} bytes (Limits.max_file_bytes)", file=source
        )
