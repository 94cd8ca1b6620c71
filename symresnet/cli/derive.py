"""The LaTeX and PDF outputs of the command line: ``derive``, ``check --tex/--pdf``, ``demo``.

Every file is written atomically (:func:`symresnet.base.files.write_atomic`).  A ``.tex`` file is
always written before its PDF is compiled, so a failed compilation leaves the LaTeX to look
at, with LaTeX's log next to it (``FILE.log``) and named in the error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from symresnet.base.files import write_atomic
from symresnet.claims.point import Verdict
from symresnet.base.errors import ClaimError, CompileError, InputError
from symresnet.compute.realization import Trace
from symresnet.present.render import RenderOptions, document, fragment

__all__ = [
    "add_render_arguments",
    "cmd_derive",
    "render_options",
    "write_demo",
    "write_files",
    "write_outputs",
]

#: the book's equation numbers: the Example's data start at (1.146), the Exercise's at (1.157)
BOOK_NUMBERS = {"example-1.5.6": "1.146", "exercise-1.5.1": "1.157"}


def add_render_arguments(p: argparse.ArgumentParser) -> None:
    """The notation options shared by ``derive`` and ``check --tex``."""
    p.add_argument(
        "--template", metavar="DIR", help="a folder of one's own templates (docs/derivations.md)"
    )
    p.add_argument(
        "--first-equation", metavar="N", help='number the equations from N, e.g. "1.151"'
    )
    p.add_argument("--max-columns", type=int, metavar="N", help="elide wider matrices (default 8)")
    p.add_argument("--max-rows", type=int, metavar="N", help="elide taller matrices (default 8)")
    p.add_argument(
        "--inline", action="store_true", help="inline formulas instead of displayed equations"
    )
    p.add_argument("--plain-m", action="store_true", help=r"write M instead of \mathfrak{M}")
    p.add_argument(
        "--activation-symbol",
        metavar="SYM",
        help=r"write the activation as SYM: sigma, \sigma, \mathfrak{s}",
    )


def render_options(args: argparse.Namespace) -> RenderOptions:
    """:class:`RenderOptions` from the command line's notation options."""
    changes: dict[str, object] = {
        "template_dir": args.template,
        "first_equation": args.first_equation,
        "display": not args.inline,
        "fraktur": not args.plain_m,
        "activation_symbol": args.activation_symbol,
    }
    if args.max_columns is not None:
        changes["max_columns"] = args.max_columns
    if args.max_rows is not None:
        changes["max_rows"] = args.max_rows
    return RenderOptions(**changes)  # type: ignore[arg-type]


def _write(path: Path, data: str | bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as err:
        raise InputError(f"cannot write the file: {err.strerror}", file=str(path)) from None


def _pdf_path(tex: Path | None, source: str) -> Path:
    if tex is not None:
        return tex.with_suffix(".pdf")
    stem = Path(source).stem if source not in ("-", "<stdin>", "<spec>") else "derivation"
    return Path(f"{stem}.pdf")


def write_outputs(
    items: Sequence[Trace | Verdict],
    *,
    title: str | None,
    tex: str | None,
    pdf: bool,
    source: str,
    options: RenderOptions,
    as_fragment: bool = False,
) -> list[Path]:
    """Write the derivations of ``items`` to ``tex`` and, with ``pdf``, compile them next to it
    (or to ``<spec>.pdf`` without ``tex``).  Returns the paths written."""
    tex_path = None if tex is None else Path(tex)
    if tex_path is not None and tex_path.suffix.lower() == ".pdf":
        raise InputError("names the .tex file; add --pdf for the PDF", place="-o/--tex", file=tex)
    if as_fragment and pdf:
        raise InputError(
            "--fragment has no preamble, so it cannot be compiled: drop --pdf or --fragment"
        )
    render = fragment if as_fragment else document
    text = render(list(items), title=title, options=options)
    written = []
    if tex_path is not None:
        _write(tex_path, text)
        written.append(tex_path)
    if pdf:
        from symresnet.present.compile import write_pdf

        pdf_path = _pdf_path(tex_path, source)
        full = text if not as_fragment else document(list(items), title=title, options=options)
        write_pdf(full, pdf_path)
        written.append(pdf_path)
    return written


def cmd_derive(args: argparse.Namespace) -> int:
    """``symresnet derive SPEC [--at X] [-o FILE.tex] [--pdf] [--template DIR]``."""
    from symresnet.claims.point import decide
    from symresnet.cli.main import parse_point
    from symresnet.compute.realization import as_input, realize
    from symresnet.io.spec import load_spec

    options = render_options(args)
    spec = load_spec(args.spec)
    items: list[Trace | Verdict]
    if args.at is not None:
        entries, names = parse_point(args.at, spec.names)
        x = as_input(entries, spec.network.dims[0], names=names, place="--at")
        items = [realize(spec.network, x, names=names)]
    elif spec.claims:
        from symresnet.claims.box import BoxClaim, decide_box

        items = [
            decide_box(c, spec.network)
            if isinstance(c, BoxClaim)  # a claim over a box
            else decide(c, realize(spec.network, c.input))
            for c in spec.claims
        ]
    else:
        raise ClaimError(
            "the spec has no [[claims]] to derive",
            file=spec.source,
            place="claims",
            hint="give --at X",
        )
    if args.output is None and not args.pdf:
        render = fragment if args.fragment else document
        sys.stdout.write(render(items, title=spec.title, options=options))
        return 0
    write_files(args, spec, items, tex=args.output, report=lambda path: print(f"wrote {path}"))
    return 0


def write_files(
    args: argparse.Namespace,
    spec: Any,
    items: Sequence[Trace | Verdict],
    *,
    tex: str | None,
    report: Callable[[Path], object],
) -> None:
    """:func:`write_outputs` with the command line's options; ``report`` each path written."""
    for path in write_outputs(
        items,
        title=spec.title,
        tex=tex,
        pdf=args.pdf,
        source=spec.source,
        options=render_options(args),
        as_fragment=getattr(args, "fragment", False),
    ):
        report(path)


def write_demo(out: str | Path) -> list[str]:
    """Write the derivations of Example 1.5.6 and Exercise 1.5.1 into the folder ``out`` (the
    PDFs too when a LaTeX engine is installed); returns the lines that say what was written."""
    from symresnet.claims.point import decide
    from symresnet.present.compile import find_engine, write_pdf
    from symresnet.examples import EXAMPLES, example_text
    from symresnet.compute.realization import realize
    from symresnet.io.spec import loads_spec

    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create the folder: {err.strerror}", file=str(folder)) from None
    engine = find_engine()
    lines = []
    for name, filename in EXAMPLES.items():
        spec = loads_spec(example_text(name), format="toml", source=filename)
        verdicts = [decide(c, realize(spec.network, c.input)) for c in spec.claims]
        tex = document(
            verdicts, title=spec.title, options=RenderOptions(first_equation=BOOK_NUMBERS.get(name))
        )
        tex_path = folder / f"{name}.tex"
        _write(tex_path, tex)
        written = [str(tex_path)]
        if engine is not None:
            pdf_path = tex_path.with_suffix(".pdf")
            try:
                write_pdf(tex, pdf_path)
            except CompileError as err:
                raise CompileError(f"{tex_path}: {err}", errors=err.errors, log=err.log) from None
            written.append(str(pdf_path))
        lines.append(f"{spec.title}: wrote {' and '.join(written)}")
    if engine is None:
        lines.append(
            "no LaTeX engine found (pdflatex, latexmk): wrote the .tex files only; install "
            "texlive-latex-base, texlive-latex-recommended and latexmk for the PDFs"
        )
    return lines
