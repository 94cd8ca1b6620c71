"""``symresnet variants``: files written, checked by ``symresnet check``, audited; bad
templates are exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import symresnet.examples
from symresnet.cli.main import main

TEMPLATE = """
title = "T"
dims = [1, 3, 3, 1]
skips = [[0, 2]]
parts = ["point", "parameter"]
"""


def test_variants_write_specs_that_check_agrees_with(tmp_path, capsys):
    (tmp_path / "t.toml").write_text(TEMPLATE)
    out = tmp_path / "out"
    assert (
        main(
            ["variants", str(tmp_path / "t.toml"), "--count", "6", "--seed", "1", "--out", str(out)]
        )
        == 0
    )
    assert "6 variants (seed 1)" in capsys.readouterr().out
    indices = json.loads((out / "variants.json").read_text())["indices"]
    for i in indices:
        spec = out / f"variant-{i:04d}.toml"
        header = spec.read_text().splitlines()[:3]
        assert header[0].startswith(f"# symresnet variant: seed = 1, index = {i}")
        truths = ["true" in line.split(":", 1)[1].split(",")[0] for line in header[1:]]
        code = main(["check", str(spec), "--json"])
        claims = json.loads(capsys.readouterr().out)["claims"]
        assert [c["status"] == "holds" for c in claims] == truths
        assert code == (0 if all(truths) else 1)
    assert main(["variants", "--audit", str(out), "--plot", str(tmp_path / "audit.png")]) == 0
    assert (tmp_path / "audit.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = capsys.readouterr().out
    assert "rebuilt identically from (seed, index): 6/6" in text
    assert "duplicates: 0" in text


def test_the_example_template_loads(tmp_path, capsys):
    path = Path(symresnet.examples.__file__).parent / "variants-1.5.toml"
    assert main(["variants", str(path), "--count", "2", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "moodle.xml").is_file() and (tmp_path / "qti.zip").is_file()


def test_bad_templates_are_exit_2_with_one_line(tmp_path, capsys):
    cases = {
        "dims = [1]": "dims",
        'dims = [1, 2, 1]\nparts = ["proof"]': "parts",
        "dims = [1, 2, 1]\nskips = [[0, 1]]": "r < k - 1",
        "dims = [1, 2, 1]\n[numbers]\nentries = [0, 0]\n[rules]\nmax_tries = 20": "'zeros'",
        "dims = [1, 2, 1]\n[rules]\ncolour = 1": "unknown key",
        "dims = [" + ", ".join(["64"] * 60) + "]": "at most 10 layers",
        "dims = [1, 17, 1]": "1..16",
        'dims = [1, 2, 1]\ntitle = "a\\u0000b"': "control character",
    }
    for text, words in cases.items():
        (tmp_path / "bad.toml").write_text(text)
        assert main(["variants", str(tmp_path / "bad.toml"), "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and words in err and "bad.toml" in err, err


def test_plot_without_audit_is_exit_2(tmp_path, capsys):
    assert main(["variants", "t.toml", "--plot", str(tmp_path / "p.png")]) == 2
    assert "--audit" in capsys.readouterr().err


def test_variants_with_sheets(tmp_path, capsys):
    (tmp_path / "t.toml").write_text(TEMPLATE)
    out = tmp_path / "out"
    args = ["variants", str(tmp_path / "t.toml"), "--count", "2", "--seed", "3", "--out", str(out)]
    assert main([*args, "--sheets", "--workers", "2"]) == 0
    assert "6 sheet files" in capsys.readouterr().out
    indices = json.loads((out / "variants.json").read_text())["indices"]
    for i in indices:
        for what in ("exercises.tex", "solutions.tex", "key.txt"):
            assert (out / f"variant-{i:04d}-{what}").is_file()
        assert "Prove or disprove" in (out / f"variant-{i:04d}-exercises.tex").read_text()
    assert main([*args, "--workers", "2"]) == 2  # --workers spreads sheets only
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--sheets" in err
