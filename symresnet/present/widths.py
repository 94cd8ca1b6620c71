"""How wide a formula prints: an estimate, in points, of the LaTeX that symresnet writes.

The line breaking of :class:`~symresnet.present.terms.TermPrinter` needs to know, before
pdflatex runs, whether a row of an equation fits the line.  :func:`latex_width` reads the LaTeX
of a formula (the small vocabulary :mod:`symresnet.present.latex` and
:mod:`symresnet.present.terms` print: digits, letters, ``+ - = \\leq``, ``\\frac``,
``pmatrix``, ``\\max\\{\\}``, ``\\left( \\right)``, ``\\mathfrak{M}``, sub- and superscripts, ...)
and adds up the widths of Computer Modern at 11pt (``article``, ``11pt``: 10.95pt fonts) with
TeX's math spacing (a binary operator takes ``\\medmuskip`` on each side, a relation
``\\thickmuskip``, in display and text style only).  Fractions and matrix entries are set in the
smaller styles TeX uses (display -> text -> script -> scriptscript, at 100%, 100%, 70%, 50%).

The estimate is *monotone*: appending to a formula never makes it narrower; it errs on the wide
side (each glyph is taken at least as wide as Computer Modern prints it, within a few per cent)
so that a row the estimate lets through fits.  Unknown commands count as a wide letter.
"""

from __future__ import annotations

import re

__all__ = ["latex_width"]

#: the scale of each style: display, text, script, scriptscript
_SCALE = (1.0, 1.0, 0.7, 0.5)

_DIGIT = 5.48
_LETTER = 6.2  # math italic, a generous average (m and w are wider, i and l narrower)
_ROMAN = 5.6  # upright letters of \max, \text, \mathrm
_BIN = 8.52  # + - \cdot \times as glyphs
_MED = 2.43  # \medmuskip (4mu) on each side of a binary operator
_THICK = 3.04  # \thickmuskip (5mu) on each side of a relation
_THIN = 1.83  # \thinmuskip (3mu), after a comma
_PAREN = 4.26  # ( ) at their natural size
_BRACE = 5.48  # \{ \}
_NULL = 1.2  # \nulldelimiterspace: \left. and the sides of a fraction
_COLSEP = 11.0
_SAFETY = 1.06  # the estimate errs on the wide side  # 2\arraycolsep between matrix columns (10pt), rounded up

_WIDE_LETTER = {
    "\\Phi": 7.9,
    "\\Psi": 8.5,
    "\\alpha": 7.0,
    "\\sigma": 6.3,
    "\\xi": 5.5,
    "\\emptyset": 5.5,
    "\\ldots": 14.6,
    "\\cdots": 14.6,
    "\\ddots": 14.6,
    "\\vdots": 3.1,
    "\\square": 8.5,
    "\\infty": 11.0,
}
_SPACES = {
    "\\quad": 10.95,
    "\\qquad": 21.9,
    "\\,": _THIN,
    "\\;": 3.04,
    "\\:": 2.43,
    "\\ ": 3.65,
    "\\allowbreak": 0.0,
    "\\hfill": 0.0,
    "\\displaystyle": 0.0,
    "\\textstyle": 0.0,
}
_BINARY = {"\\cdot", "\\times", "\\pm", "\\setminus", "\\cup", "\\cap", "\\wedge", "\\vee"}
_RELATIONS = {
    "\\leq",
    "\\geq",
    "\\neq",
    "\\in",
    "\\notin",
    "\\nleq",
    "\\ngeq",
    "\\not",
    "\\mapsto",
    "\\to",
    "\\subseteq",
    "\\iff",
    "\\implies",
    "\\coloneqq",
}
_OPERATORS = {"\\max": 3, "\\min": 3, "\\ln": 2, "\\exp": 3, "\\sup": 3, "\\inf": 3, "\\tanh": 4}
_FONTS = {"\\mathfrak", "\\mathrm", "\\mathbb", "\\mathbf", "\\mathcal", "\\mathsf", "\\mathtt"}
_DELIMITERS = {"(": _PAREN, ")": _PAREN, "[": 3.0, "]": 3.0, "|": 3.0, ".": _NULL}

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.S)


def _tokens(latex: str) -> list[str]:
    return [t for t in _TOKEN.findall(latex) if not t.isspace()]


class _Reader:
    """A recursive reader of the token list that sums widths (one pass, no backtracking)."""

    def __init__(self, tokens: list[str]) -> None:
        self.t = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> str:
        tok = self.t[self.i]
        self.i += 1
        return tok

    def group(self) -> list[str]:
        """The tokens of the next argument: a ``{...}`` group or one token."""
        if self.peek() is None:
            return []
        if self.peek() != "{":
            return [self.take()]
        self.take()
        depth, out = 1, []
        while self.peek() is not None:
            tok = self.take()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    break
            out.append(tok)
        return out

    def environment(self, name: str) -> list[str]:
        """The tokens up to ``\\end{name}`` (nested environments of the same name counted)."""
        depth, out = 1, []
        while self.peek() is not None:
            tok = self.take()
            if tok in ("\\begin", "\\end"):
                arg = self.group()
                if "".join(arg) == name:
                    depth += 1 if tok == "\\begin" else -1
                    if depth == 0:
                        break
                out += [tok, "{", *arg, "}"]
                continue
            out.append(tok)
        return out


def _split(tokens: list[str], sep: str) -> list[list[str]]:
    """``tokens`` cut at ``sep`` outside braces and nested environments."""
    parts: list[list[str]] = [[]]
    depth = 0
    for tok in tokens:
        if tok in ("{", "\\begin"):
            depth += 1
        elif tok in ("}", "\\end"):
            depth -= 1
        if tok == sep and depth == 0:
            parts[-1:] = [parts[-1], []]
        else:
            parts[-1].append(tok)
    return parts


def _paren(rows: int) -> float:
    """A parenthesis grown around ``rows`` rows of a matrix (``\\arraystretch`` 1.15)."""
    return 6.7 if rows <= 1 else 8.7 if rows == 2 else 10.5


def _rows(tokens: list[str], start: int) -> int:
    """The most rows of a matrix between ``\\left`` at ``start`` and its ``\\right``."""
    depth, rows, most = 0, 0, 1
    for tok in tokens[start:]:
        if tok == "\\left":
            depth += 1
        elif tok == "\\right":
            depth -= 1
            if depth == 0:
                break
        elif tok == "\\begin":
            rows = 1
        elif tok == "\\\\":
            rows += 1
            most = max(most, rows)
    return most


def _matrix(tokens: list[str], style: int) -> tuple[float, int]:
    """The width of a ``pmatrix`` body and its number of rows."""
    inner = min(style + 1, 3) if style >= 1 else 1  # entries in text style (smaller below)
    rows = [_split(row, "&") for row in _split(tokens, "\\\\")]
    columns = max(len(r) for r in rows)
    widths = [0.0] * columns
    for row in rows:
        for j, cell in enumerate(row):
            widths[j] = max(widths[j], _width(cell, inner))
    parens = 2 * _paren(len(rows))  # tall parentheses are wider
    return sum(widths) + _COLSEP * (columns - 1) * _SCALE[style] + parens * _SCALE[style], len(rows)


def _width(tokens: list[str], style: int) -> float:
    """The width of a token list in ``style`` (0 display, 1 text, 2 script, 3 scriptscript)."""
    r = _Reader(tokens)
    s = _SCALE[style]
    spaced = style <= 1
    total = 0.0
    prev = "open"  # the class of the previous atom: open, ord, bin, rel, punct
    while r.peek() is not None:
        tok = r.take()
        kind = "ord"
        w = 0.0
        if tok in ("{",):
            r.i -= 1
            w = _width(r.group(), style)
        elif tok in ("_", "^"):
            w = _width(r.group(), min(style + 2, 3) if style <= 1 else 3)
            kind = prev
        elif tok == "\\frac":
            inner = style + 1 if style < 3 else 3
            num, den = _width(r.group(), inner), _width(r.group(), inner)
            w = max(num, den) + 2 * _NULL
        elif tok == "\\begin":
            name = "".join(r.group())
            body = r.environment(name)
            if name in ("pmatrix", "matrix", "bmatrix"):
                w, _ = _matrix(body, style)
                w /= s  # _matrix scales itself
            elif name in ("cases",):
                w = max(_width(row, style) for row in _split(body, "\\\\")) + 12
            else:
                w = max(
                    (sum(_width(c, style) for c in _split(row, "&")) for row in _split(body, "\\\\")),
                    default=0.0,
                )
                w /= s
        elif tok in ("\\left", "\\right", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr"):
            delim = r.take() if r.peek() is not None else "."
            if delim == ".":
                w = _NULL
            elif tok == "\\left":
                w = _paren(_rows(r.t, r.i - 2))
            elif tok == "\\right":
                w = _paren(1)
            else:
                w = 6.0 if tok in ("\\bigl", "\\bigr") else 7.5
            kind = "open" if tok in ("\\left", "\\bigl", "\\Bigl") else "ord"
        elif tok in _FONTS:
            arg = r.group()
            letters = sum(1 for a in arg if not a.startswith("\\") or a in _WIDE_LETTER)
            w = 8.5 * letters if tok in ("\\mathfrak", "\\mathcal", "\\mathbb", "\\mathbf") else (
                _ROMAN * letters
            )
        elif tok in ("\\text", "\\textit", "\\mathit", "\\operatorname", "\\mathop"):
            w = _ROMAN * len("".join(r.group()))
            if tok == "\\text":
                w /= s if style >= 2 else 1
        elif tok in ("\\label", "\\tag", "\\refstepcounter", "\\phantom"):
            r.group()
        elif tok in ("\\eqref", "\\ref"):
            r.group()
            w = 25.0
        elif tok in _OPERATORS:
            w = _ROMAN * _OPERATORS[tok] + 2.5
            kind = "op"
        elif tok in ("\\sum", "\\prod"):
            w = 15.3
            kind = "op"
        elif tok in _SPACES:
            w = _SPACES[tok] / s if style >= 2 else _SPACES[tok]
            kind = prev
        elif tok in _WIDE_LETTER:
            w = _WIDE_LETTER[tok]
        elif tok in ("\\{", "\\}"):
            w = _BRACE
            kind = "open" if tok == "\\{" else "ord"
        elif tok in ("(", "["):
            w, kind = _DELIMITERS[tok], "open"
        elif tok in (")", "]", "|"):
            w = _DELIMITERS[tok]
        elif tok in _BINARY or tok in ("+", "-"):
            w = _BIN
            unary = tok == "-" and prev in ("open", "bin", "rel", "punct", "op")
            if not unary:
                kind = "bin"
                if spaced:
                    w += 2 * _MED / s
        elif tok in _RELATIONS or tok in ("=", "<", ">", ":"):
            w = _BIN if tok not in ("\\in", "\\notin", ":") else 7.3
            if tok == ":":
                w = 3.0
            kind = "rel"
            if spaced and tok != ":":
                w += 2 * _THICK / s
        elif tok in (",", ";"):
            w = 3.04 + (_THIN / s if spaced else 0.0)
            kind = "punct"
        elif tok == "&" or tok == "\\\\":
            w = 0.0
            kind = prev
        elif tok == "'":
            w = 2.8
        elif tok.isdigit():
            w = _DIGIT
        elif tok.isalpha():
            w = 10.4 if tok in "WM" else 8.4 if tok.isupper() else _LETTER
        elif tok.startswith("\\"):
            w = _LETTER
        else:
            w = _DIGIT
        if kind == "ord" and prev == "op":
            w += _THIN
        total += w * s
        prev = kind
    return total


def latex_width(latex: str, *, display: bool = True) -> float:
    """About how many points ``latex`` (a math formula) takes in a display (``display``) or in
    running text at 11pt; monotone, erring on the wide side (see the module docstring)."""
    return _SAFETY * _width(_tokens(latex), 0 if display else 1)
