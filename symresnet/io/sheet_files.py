"""The files of an exercise sheet (layer *io*; docs/sheets.md): which documents, their names,
writing them and compiling them to PDF, several at once.

For a sheet named ``NAME`` in the folder ``DIR``:

* ``NAME-exercises.tex`` and ``NAME-solutions.tex`` (the default, :class:`SheetFiles`);
* ``NAME.tex``, the exercises followed by the solutions (``combined``);
* only ``NAME-solutions.tex`` (``solutions_only``);
* ``NAME-key.txt``, the answer key (``key``);
* with ``pdf``, each ``.tex`` compiled to the ``.pdf`` beside it (LaTeX's log ``.log`` beside
  it when LaTeX fails).

:func:`compile_pdfs` compiles many documents on up to ``workers`` engines at once (threads:
each waits for its own pdflatex process).  :func:`write_variant_sheets` writes one sheet per
variant of ``symresnet variants`` (docs/variants.md), spread over worker processes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from symresnet.base.errors import InputError
from symresnet.base.files import Named, check_outputs, write_atomic
from symresnet.claims.variants import Template, Variant
from symresnet.compute.workers import map_chunks
from symresnet.explain.sheet import Sheet, build_sheet
from symresnet.io.variants import variant_spec
from symresnet.present import compile as latex
from symresnet.present.render import DEFAULT_RENDER, RenderOptions
from symresnet.present.sheet import SheetTex, render_sheet
from symresnet.present.sheet_key import key_text

__all__ = [
    "SheetFiles",
    "compile_pdfs",
    "variant_sheet_name",
    "write_sheet",
    "write_variant_sheets",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SheetFiles:
    """Which files of a sheet to write (module docstring)."""

    combined: bool = False
    solutions_only: bool = False
    key: bool = False
    pdf: bool = False

    def __post_init__(self) -> None:
        if self.combined and self.solutions_only:
            raise InputError(
                "--combined and --solutions-only exclude each other",
                place="--combined",
                hint="give one of them",
            )

    def documents(self, folder: Path, name: str) -> list[tuple[str, Path]]:
        """``(document, path)`` of the ``.tex`` files: document is ``exercises``,
        ``solutions`` or ``combined`` (a field of :class:`SheetTex`)."""
        if self.combined:
            return [("combined", folder / f"{name}.tex")]
        solutions = ("solutions", folder / f"{name}-solutions.tex")
        if self.solutions_only:
            return [solutions]
        return [("exercises", folder / f"{name}-exercises.tex"), solutions]

    def paths(self, folder: Path, name: str) -> list[Path]:
        """Every file written, in order: the ``.tex`` files, their PDFs, the key."""
        tex = [path for _, path in self.documents(folder, name)]
        pdfs = [p.with_suffix(".pdf") for p in tex] if self.pdf else []
        key = [folder / f"{name}-key.txt"] if self.key else []
        return tex + pdfs + key

    def check(self, folder: Path, name: str, inputs: Sequence[Named] = ()) -> None:
        """Before the work: refuse outputs that are links, not regular files, or inputs."""
        outputs: list[Named] = [(f"the sheet file {p.name}", p) for p in self.paths(folder, name)]
        if self.pdf:
            outputs += [
                (f"LaTeX's log of {p.name}", p.with_suffix(".log"))
                for _, p in self.documents(folder, name)
            ]
        check_outputs(outputs, inputs=inputs)


def write_sheet(
    sheet: Sheet,
    folder: Path,
    name: str,
    files: SheetFiles,
    *,
    options: RenderOptions = DEFAULT_RENDER,
    tex: SheetTex | None = None,
) -> list[Path]:
    """Write the ``.tex`` files (and the key) of ``sheet`` into ``folder`` (made if missing);
    PDFs are left to :func:`compile_pdfs`.  Returns the paths written."""
    tex = render_sheet(sheet, options=options) if tex is None else tex
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for document, path in files.documents(folder, name):
        write_atomic(path, getattr(tex, document))
        written.append(path)
    if files.key:
        path = folder / f"{name}-key.txt"
        write_atomic(path, key_text(sheet))
        written.append(path)
    return written


def compile_pdfs(tex_files: Sequence[Path], *, workers: int = 1) -> list[Path]:
    """Compile each ``.tex`` file to the ``.pdf`` beside it, on up to ``workers`` LaTeX engines
    at once; returns the PDFs in order.  The first failure raises its
    :class:`~symresnet.base.errors.CompileError` (naming the log written beside it)."""

    def one(path: Path) -> Path:
        pdf = path.with_suffix(".pdf")
        latex.write_pdf(path.read_text(encoding="utf-8"), pdf)
        return pdf

    if workers <= 1 or len(tex_files) <= 1:
        return [one(p) for p in tex_files]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, tex_files))


def variant_sheet_name(v: Variant) -> str:
    """``variant-0007``: the name of a variant's sheet files (as its spec file's stem)."""
    return f"variant-{v.index:04d}"


def _variant_sheets(
    shared: tuple[Template, Path, SheetFiles, RenderOptions], chunk: list[Variant]
) -> list[tuple[int, list[Path]]]:
    """The sheets of ``chunk`` (in a worker process): build, render, write, compile; the
    paths written for each variant's index."""
    t, folder, files, options = shared
    out = []
    for v in chunk:
        sheet = build_sheet([variant_spec(t, v)], options=options.derivation, origins=[v.parts])
        paths = write_sheet(sheet, folder, variant_sheet_name(v), files, options=options)
        if files.pdf:
            paths += compile_pdfs([p for p in paths if p.suffix == ".tex"])
        out.append((v.index, paths))
    return out


def write_variant_sheets(
    t: Template,
    variants: Sequence[Variant],
    folder: Path,
    files: SheetFiles,
    *,
    options: RenderOptions = DEFAULT_RENDER,
    workers: int = 1,
) -> list[Path]:
    """One sheet per variant (``variant-NNNN-exercises.tex``, ``-solutions.tex``, as
    :class:`SheetFiles` says, and their PDFs), the variants spread over up to ``workers``
    processes (one per core at most); returns the paths written, variant by variant."""
    folder.mkdir(parents=True, exist_ok=True)
    n = max(1, min(workers, len(variants)))
    chunks = [list(variants[i::n]) for i in range(n)]
    done = map_chunks(_variant_sheets, (t, folder, files, options), chunks, workers=n)
    paths = dict(pair for chunk in done for pair in chunk)
    return [p for v in variants for p in paths[v.index]]
