"""Writing output files safely: the one way symresnet writes a file.

:func:`write_atomic` writes to a temporary file in the target's folder and renames it over the
target (``os.replace``), so a reader (or a crash, a full disk, a Ctrl-C, a ``kill -9``) sees the
old file or the new one, never half of one.  Inputs are only ever opened for reading.

What it refuses to write onto (:class:`OutputError`, an :class:`~symresnet.base.errors.InputError`,
so the command line answers with exit 2 and one line naming the file):

* a **symbolic link**.  Neither following it (that would write wherever the link points, the
  classic symlink attack on an output path) nor silently replacing it (that destroys something
  the user made on purpose) is safe, so it refuses: remove the link or choose another file.
  ``/dev/stdout`` is such a link: leave out the output option to print to standard output;
* anything that is **not a regular file**: a directory, a device (``/dev/null``: as root, a
  rename over it would replace the device node for the whole machine), a FIFO, a socket.

The check is made on the name right before the rename.  Should the name be swapped for a link
in between, the rename replaces the link itself: ``os.replace`` never writes through a link.

:func:`check_outputs` makes the same checks *before* a command does its work, and also refuses
an output that is one of the command's inputs (compared with :func:`os.path.samefile`, so
``./spec.toml``, another spelling through a linked folder or a hard link count as the same file)
or two outputs that name one file.

A process killed with ``SIGKILL`` mid-write cannot clean up: it may leave its hidden temporary
file ``.NAME.XXXXXXXX.tmp`` beside the target, but the target itself is the old file, whole.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeAlias

from symresnet.base.errors import InputError

__all__ = [
    "Named",
    "OutputError",
    "check_output",
    "check_outputs",
    "open_atomic",
    "write_atomic",
    "write_figure",
]

#: permissions of a new file (an existing file keeps its own)
NEW_FILE_MODE = 0o644
#: bytes handed to one ``os.write`` call
CHUNK = 1 << 20

#: a file given to a command, and what it is: ``("the spec", "s.toml")``
Named: TypeAlias = tuple[str, str | os.PathLike[str] | None]


class OutputError(InputError):
    """An output file symresnet will not write: a symbolic link, not a regular file, one of the
    command's own inputs, or the same file as another output of the command."""


def _kind(mode: int) -> str:
    """What a non-regular file is, for a message."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _existing_mode(target: str | os.PathLike[str], what: str) -> int | None:
    """The permissions of the regular file at ``target`` (``None``: there is none); refuses a
    symbolic link or anything that is not a regular file."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(
            f"{what} is a symbolic link, and symresnet does not write through links",
            file=os.fspath(target),
            hint="remove it or choose another file",
        )
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(
            f"{what} is {_kind(st.st_mode)}, not a regular file",
            file=os.fspath(target),
            hint="choose a regular file",
        )
    return stat.S_IMODE(st.st_mode) & 0o777  # never carry set-user-ID bits over to new data


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """``a`` and ``b`` name one existing file (also through ``./``, linked folders, hard links)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one of them does not exist (yet): compare the names
        pass
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):  # a name holding a NUL names no file
        return False


def check_output(
    path: str | os.PathLike[str],
    *,
    what: str = "the output file",
    inputs: Sequence[Named] = (),
) -> Path:
    """Refuse ``path`` as an output (:class:`OutputError`) if :func:`write_atomic` would refuse
    it, or if it is one of ``inputs`` (pairs ``(description, path)``; ``None`` paths, such as
    standard input, are skipped).  Returns the path.  ``what`` names the output in messages."""
    _existing_mode(path, what)
    for name, source in inputs:
        if source is not None and os.fspath(source) != "-" and _same_file(path, source):
            raise OutputError(
                f"{what} is {name}, an input of this command; symresnet never overwrites "
                "its inputs",
                file=os.fspath(path),
                hint="choose another file",
            )
    return Path(path)


def check_outputs(outputs: Sequence[Named], *, inputs: Sequence[Named] = ()) -> None:
    """:func:`check_output` for each of ``outputs`` (pairs ``(description, path)``; ``None``
    paths are outputs not asked for), and refuse two outputs that name the same file."""
    given = [(what, path) for what, path in outputs if path is not None]
    for i, (what, path) in enumerate(given):
        check_output(path, what=what, inputs=inputs)
        for other, earlier in given[:i]:
            if _same_file(path, earlier):
                raise OutputError(
                    f"{other} and {what} are the same file",
                    file=os.fspath(path),
                    hint="choose a different file for each",
                )


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, what: str = "the output file"
) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically; return the path.

    The data goes to a temporary file beside ``path``, is flushed to disk, and then replaces
    ``path`` in one step.  An existing file keeps its permissions.  A symbolic link or anything
    but a regular file at ``path`` is refused with :class:`OutputError` before anything is
    written (``what`` names the output in the message).  On any failure the temporary file is
    removed, the old file is untouched, and the ``OSError`` (missing or read-only folder, full
    disk, ...) is raised, with ``filename`` the target, for the caller to report.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    folder = target.parent if str(target.parent) else Path(".")
    mode = _existing_mode(path, what)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as err:  # name the file the user asked for, not the temporary one
        raise OSError(err.errno, err.strerror, os.fspath(path)) from None
    try:
        try:
            os.fchmod(fd, NEW_FILE_MODE if mode is None else mode)
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):  # a full disk names the target, not the temporary file
            raise OSError(err.errno, err.strerror, os.fspath(path)) from None
        raise
    _sync_folder(folder)
    return target


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike[str], *, what: str = "the output file") -> Iterator[TextIO]:
    """A UTF-8 text stream whose content replaces ``path`` atomically when the block ends.

    :func:`write_atomic` for output produced bit by bit (``eval --points`` streams its rows):
    the text goes to a temporary file beside ``path``, which replaces ``path`` only when the
    block ends without an exception; on any exception (an error, Ctrl-C) the temporary file is
    removed and ``path`` is untouched.  The same refusals and ``OSError`` naming as
    :func:`write_atomic`.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    mode = _existing_mode(path, what)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise OSError(err.errno, err.strerror, os.fspath(path)) from None
    try:
        os.fchmod(fd, NEW_FILE_MODE if mode is None else mode)
        raw = _FdWriter(fd)  # every byte goes through _write_all, as in write_atomic
        with io.TextIOWrapper(
            io.BufferedWriter(raw, buffer_size=CHUNK), encoding="utf-8", newline=""
        ) as stream:
            yield stream
            stream.flush()
            os.fsync(fd)
        _existing_mode(path, what)  # the name may have become a link meanwhile
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror, os.fspath(path)) from None
        raise
    _sync_folder(folder)


class _FdWriter(io.RawIOBase):
    """The raw stream under :func:`open_atomic`: writes with :func:`_write_all`, closes ``fd``."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        _write_all(self._fd, data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                os.close(self._fd)
            finally:
                super().close()


def _write_all(fd: int, payload: bytes) -> None:
    """Write all of ``payload`` to ``fd`` (``os.write`` may write less than it is given)."""
    view = memoryview(payload)
    while view:
        written = os.write(fd, view[:CHUNK])
        view = view[written:]


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
