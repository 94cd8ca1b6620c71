"""Writing output files safely: the one way symresnet writes a file.

:func:`write_atomic` writes to a temporary file in the target's folder and renames it over the
target (``os.replace``), so a reader (or a crash, a full disk, a Ctrl-C) sees the old file or
the new one, never half of one.  Inputs are only ever opened for reading.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["write_atomic", "write_figure"]

#: permissions of a new file (an existing file keeps its own)
NEW_FILE_MODE = 0o644


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically; return the path.

    The data goes to a temporary file beside ``path``, is flushed to disk, and then replaces
    ``path`` in one step.  An existing file keeps its permissions; a symbolic link at ``path``
    is replaced by the file (the file it pointed to is left alone).  On any failure the
    temporary file is removed, the old file is untouched, and the ``OSError`` (missing or
    read-only folder, full disk, ...) is raised for the caller to report.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = stat.S_IMODE(os.stat(target, follow_symlinks=False).st_mode)
        if os.path.islink(target):
            mode = NEW_FILE_MODE
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as err:  # name the file the user asked for, not the temporary one
        raise OSError(err.errno, err.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(folder)
    return target


def write_figure(fig: Any, path: str | os.PathLike[str], **options: Any) -> Path:
    """Save a matplotlib figure to ``path`` atomically (:func:`write_atomic`), in the format
    its suffix names (``.png``, ``.pdf``, ``.svg``, ...; ``ValueError`` for an unknown one)."""
    fmt = Path(path).suffix[1:].lower() or "png"
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, **options)
    return write_atomic(path, buffer.getvalue())


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
