"""symresnet.base.files: atomic writes, and the outputs it refuses (docs/security.md)."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from symresnet.base import files
from symresnet.base.errors import InputError
from symresnet.base.files import OutputError, check_output, check_outputs, write_atomic


def names(folder):
    return sorted(p.name for p in folder.iterdir())


# -- writing ----------------------------------------------------------------------------------


def test_new_file_gets_0644_and_an_existing_one_keeps_its_mode(tmp_path):
    new = tmp_path / "new.txt"
    write_atomic(new, "a")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    old = tmp_path / "old.txt"
    old.write_text("x")
    os.chmod(old, 0o640)
    write_atomic(old, "b")
    assert old.read_text() == "b" and stat.S_IMODE(old.stat().st_mode) == 0o640


def test_set_user_id_bits_are_not_carried_over_to_new_data(tmp_path):
    p = tmp_path / "tool"
    p.write_text("x")
    os.chmod(p, 0o4755)
    write_atomic(p, "new")
    assert stat.S_IMODE(p.stat().st_mode) == 0o755


def test_short_writes_are_continued(tmp_path, monkeypatch):
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real(fd, bytes(data[:7])))
    payload = bytes(range(256)) * 40  # 10,240 bytes, written 7 at a time
    write_atomic(tmp_path / "f.bin", payload)
    assert (tmp_path / "f.bin").read_bytes() == payload


def test_data_longer_than_one_chunk(tmp_path):
    payload = b"ab" * (files.CHUNK // 2) + b"xyz"
    write_atomic(tmp_path / "big.bin", payload)
    assert (tmp_path / "big.bin").read_bytes() == payload


def _disk_fills_after(monkeypatch, allowed):
    """Let ``os.write`` write ``allowed`` bytes, then fail with ENOSPC (a full disk)."""
    real = os.write
    state = {"left": allowed}

    def write(fd, data):
        if state["left"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real(fd, bytes(data[: state["left"]]))
        state["left"] -= n
        return n

    monkeypatch.setattr(os, "write", write)


def test_full_disk_mid_write_keeps_the_old_file_and_names_the_target(tmp_path, monkeypatch):
    p = tmp_path / "out.tex"
    p.write_text("old content")
    _disk_fills_after(monkeypatch, 4096)
    with pytest.raises(OSError) as info:
        write_atomic(p, "new content " * 10_000)
    assert info.value.errno == errno.ENOSPC
    assert info.value.filename == str(p)  # the file the user named, not the temporary one
    assert p.read_text() == "old content"
    assert names(tmp_path) == ["out.tex"]  # no temporary file left


def test_interrupt_mid_write_keeps_the_old_file(tmp_path, monkeypatch):
    p = tmp_path / "out.tex"
    p.write_text("old")

    def interrupted(fd, data):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(p, "new")
    assert p.read_text() == "old" and names(tmp_path) == ["out.tex"]


_KILLED_WRITER = """
import os, sys, time
from symresnet.base.files import write_atomic
real = os.write
def slow(fd, data):
    n = real(fd, bytes(data[:65536]))
    open(sys.argv[2], "w").close()  # half the data is in the temporary file: tell the test
    time.sleep(60)
    return n
os.write = slow
write_atomic(sys.argv[1], b"n" * 10_000_000)
"""


def test_sigkill_mid_write_leaves_the_old_file_whole(tmp_path):
    out = tmp_path / "out" / "result.csv"
    out.parent.mkdir()
    out.write_bytes(b"old,data\n" * 1000)
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(_KILLED_WRITER), out, ready])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None, "the writer ended before it was killed"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == b"old,data\n" * 1000
    left = [n for n in names(out.parent) if n != "result.csv"]
    # a killed process cannot clean up: at most its hidden temporary file, never the target
    assert all(n.startswith(".result.csv.") and n.endswith(".tmp") for n in left), left
    assert all((out.parent / n).stat().st_size == 65536 for n in left)


# -- refusing ---------------------------------------------------------------------------------


def test_refuses_a_symlink_also_a_dangling_one(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "a.tex").symlink_to(victim)
    (tmp_path / "b.tex").symlink_to(tmp_path / "nowhere")
    for link in ("a.tex", "b.tex"):
        with pytest.raises(OutputError, match=r"is a symbolic link.*remove it or choose another"):
            write_atomic(tmp_path / link, "new")
    assert victim.read_text() == "keep"
    assert not (tmp_path / "nowhere").exists()
    assert names(tmp_path) == ["a.tex", "b.tex", "victim"]


def test_refuses_a_directory_and_a_fifo(tmp_path):
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "f")
    with pytest.raises(OutputError, match="is a directory, not a regular file"):
        write_atomic(tmp_path / "d", "x")
    with pytest.raises(OutputError, match=r"is a FIFO \(named pipe\), not a regular file"):
        write_atomic(tmp_path / "f", "x")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "f").st_mode)
    assert names(tmp_path) == ["d", "f"] and names(tmp_path / "d") == []


def test_refuses_dev_null_even_as_root():
    before = os.lstat("/dev/null")
    with pytest.raises(OutputError, match="/dev/null: the output file is a character device"):
        write_atomic("/dev/null", "x")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not [n for n in os.listdir("/dev") if n.startswith(".null.")]


def test_output_error_is_an_input_error_naming_the_file(tmp_path):
    (tmp_path / "l").symlink_to("x")
    with pytest.raises(InputError) as info:
        write_atomic(tmp_path / "l", "x", what="the plot (--plot)")
    assert str(info.value).startswith(f"{tmp_path / 'l'}: the plot (--plot) is a symbolic link")


def test_write_figure_refuses_a_symlink(tmp_path):
    figure = pytest.importorskip("matplotlib.figure", reason="matplotlib is not installed")
    victim = tmp_path / "victim.png"
    victim.write_bytes(b"keep")
    (tmp_path / "plot.png").symlink_to(victim)
    with pytest.raises(OutputError):
        files.write_figure(figure.Figure(), tmp_path / "plot.png")
    assert victim.read_bytes() == b"keep"


# -- outputs against inputs -------------------------------------------------------------------


def test_an_input_is_recognized_in_every_spelling(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text("spec")
    os.link(tmp_path / "s.toml", tmp_path / "hard.toml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path)  # a linked folder is allowed, its file is not
    spec = [("the spec", "s.toml")]
    for spelling in ("s.toml", "./s.toml", "sub/../s.toml", str(tmp_path / "s.toml"),
                     "hard.toml", "linked/s.toml"):  # fmt: skip
        with pytest.raises(OutputError, match="is the spec, an input of this command"):
            check_output(spelling, inputs=spec)
    assert check_output("other.toml", inputs=spec).name == "other.toml"
    assert (tmp_path / "s.toml").read_text() == "spec"


def test_standard_input_and_absent_inputs_are_skipped(tmp_path):
    out = tmp_path / "out.csv"
    check_output(out, inputs=[("the spec", "-"), ("the points file", None)])
    assert not out.exists()


def test_two_outputs_naming_one_file_are_refused_even_before_they_exist(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match=r"the plot \(--plot\) and the TikZ file .* same file"):
        check_outputs([("the plot (--plot)", "a.pdf"), ("the TikZ file (--tikz)", "./a.pdf")])
    check_outputs([("one", "a.pdf"), ("two", "b.pdf"), ("not asked for", None)])
    assert names(tmp_path) == []
