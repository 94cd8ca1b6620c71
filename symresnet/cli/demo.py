"""``symresnet demo [--out DIR]``: the book's Example 1.5.6 and Exercise 1.5.1, exactly.

It decides the claims of both examples, prints the verdicts and writes their derivations into
the folder ``DIR`` as LaTeX, numbered as in the book -- and as PDF when a LaTeX engine is
installed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from symresnet import __version__
from symresnet.base.errors import CompileError, InputError
from symresnet.base.files import check_outputs
from symresnet.claims.spec import check_spec
from symresnet.cli.common import EXIT_OK, add_command, write_file
from symresnet.examples import EXAMPLES, example_text
from symresnet.io.spec import loads_spec
from symresnet.present import compile as latex
from symresnet.present.printers import to_text
from symresnet.present.render import RenderOptions, document

__all__ = ["BOOK_NUMBERS", "add_parser", "cmd_demo", "write_demo"]

#: the book's equation numbers: the Example's data start at (1.146), the Exercise's at (1.157)
BOOK_NUMBERS = {"example-1.5.6": "1.146", "exercise-1.5.1": "1.157"}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet demo``."""
    p = add_command(subparsers, "demo", cmd_demo, "run the book's Example 1.5.6 and Exercise 1.5.1")
    p.add_argument(
        "--out", metavar="DIR", default="symresnet-demo", help="folder for the derivations"
    )


def cmd_demo(args: argparse.Namespace) -> int:
    """Print the verdicts on both examples, then write their derivations into ``--out``."""
    print(f"symresnet {__version__}: the book's Example 1.5.6 and Exercise 1.5.1, exactly.\n")
    for name, filename in EXAMPLES.items():
        spec = loads_spec(example_text(name), format="toml", source=filename)
        for verdict in check_spec(spec).verdicts:
            print(to_text(verdict, title=spec.title))
            print()
    for line in write_demo(args.out):  # the two derivations as LaTeX (and PDF)
        print(line)
    return EXIT_OK


def write_demo(out: str | Path) -> list[str]:
    """Write the derivations of Example 1.5.6 and Exercise 1.5.1 into the folder ``out`` (the
    PDFs too when a LaTeX engine is installed); returns the lines that say what was written."""
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create the folder: {err.strerror}", file=str(folder)) from None
    engine = latex.find_engine()
    suffixes = (".tex", ".pdf", ".log") if engine is not None else (".tex",)  # .log: if LaTeX fails
    names = [f"{name}{suffix}" for name in EXAMPLES for suffix in suffixes]
    check_outputs([("an output file of --out", folder / n) for n in names])
    lines = []
    for name, filename in EXAMPLES.items():
        spec = loads_spec(example_text(name), format="toml", source=filename)
        verdicts = check_spec(spec).verdicts
        tex = document(
            verdicts, title=spec.title, options=RenderOptions(first_equation=BOOK_NUMBERS.get(name))
        )
        tex_path = folder / f"{name}.tex"
        write_file(tex_path, tex)
        written = [str(tex_path)]
        if engine is not None:
            pdf_path = tex_path.with_suffix(".pdf")
            try:
                latex.write_pdf(tex, pdf_path)
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
