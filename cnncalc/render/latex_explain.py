"""Derivations in LaTeX: equations in align* blocks, one line per entry; other steps as paragraphs.

A long equation continues on the next line (at a + between terms, or before an = of the numbers),
and its remark (which entries read it, which route) follows it in words.
"""

from __future__ import annotations

import re

from cnncalc.render.latex import PAGE, grid_items, rows_of_items, width
from cnncalc.render.latex_names import ALIGN, BREAK, segments
from cnncalc.render.latex_text import prose

QQUAD = r" \qquad "
EQUATION = 52  # characters of an align* row: the page less the alignment's indent
ALIGN_GROUP = 16  # entries per align* block: one block never breaks across pages


def words(pieces: list[tuple[bool, str]]) -> str:
    """Words with math, as text-mode LaTeX."""
    return "".join(f"${piece.replace(ALIGN, '').replace(BREAK, '')}$" if is_math else prose(piece)
                   for is_math, piece in pieces)


def broken(equation: str) -> list[str]:
    """An equation's lines, each about a page wide: a new line rather starts at an '= numbers'
    than inside a sum; a sum too long for one line continues at a '+' between its terms."""
    if ALIGN not in equation:
        equation = ALIGN + equation
    phases = re.split(BREAK + r"(?= =)", equation)
    lines = [""]
    for phase in phases:
        if width(lines[-1]) + width(phase) > EQUATION and lines[-1].strip("& "):
            lines.append(r"\quad")
        for piece in phase.split(BREAK):
            if width(lines[-1]) + width(piece) > EQUATION and width(lines[-1]) > 4:
                lines.append(r"\quad")
            lines[-1] += piece
    return [lines[0].replace(ALIGN, "&")] + ["&" + rest.replace(ALIGN, "") for rest in lines[1:]]


def remark_lines(pieces: list[tuple[bool, str]], budget: int) -> list[str]:
    """A remark in words, wrapped at spaces into lines of about `budget` characters (math kept whole)."""
    tokens = [(True, piece) if is_math else (False, word) for is_math, piece in pieces
              for word in ([piece] if is_math else re.split(r"(?<= )", piece.strip() if len(pieces) == 1 else piece))]
    lines, line, used = [], [], 0
    for is_math, token in tokens:
        size = width(token) if is_math else len(token)
        if line and used + size > budget:
            lines.append(line)
            line, used = [], 0
        line.append((is_math, token))
        used += size
    return [words(line).strip() for line in lines + [line] if line]


def equation_rows(lines: list[str]) -> list[str]:
    """align* rows of one equation step: the equation, then its remark in words."""
    pieces = segments(lines[0])
    rows = broken(pieces[0][1])
    remark = remark_lines(pieces[1:], EQUATION - 6)
    if remark and width(rows[-1]) + len(remark[0]) <= EQUATION and len(remark) == 1:
        rows[-1] += rf" \quad \text{{{remark[0]}}}"
    else:
        rows += [rf"&\qquad \text{{{line}}}" for line in remark if line]
    return rows + [rf"&\text{{{words(segments(line))}}}" for line in lines[1:]]


def grids_tex(grids, names) -> list[str]:
    """A step's grids (window, receptive field, the rotated kernel) side by side, each titled."""
    items = []
    for tensor in grids:
        shown = names.naming.shown(tensor.key)
        role = tensor.name[len(shown):].strip() if tensor.name.startswith(shown) else tensor.name
        title = names.name(tensor.key) + (rf"\ \text{{{prose(role)}}}" if role else "")
        for tex, size in grid_items(tensor.grids[0]):
            items.append((rf"\underset{{{title}}}{{{tex}}}", max(size, width(title))))
    return [rf"\[ {QQUAD.join(row)} \]" for row in rows_of_items(items, PAGE)]


def explanation_tex(explanation, names) -> list[str]:
    """The derivation: runs of equations as align* blocks, other steps as paragraphs, grids as matrices."""
    lines = [f"\\subsubsection*{{{prose(explanation.title)}}}"]
    group: list[list[str]] = []

    def close():
        if group:
            body = " \\\\\n".join(row for rows in group for row in rows)
            lines.extend(["\\begin{align*}", body, "\\end{align*}"])
            group.clear()

    for step in explanation.steps:
        if step.equation:
            group.append(equation_rows(step.lines))
            if len(group) >= ALIGN_GROUP:
                close()
        else:
            close()
            lines += ["", "\\noindent " + " \\\\\n".join(words(segments(line)) for line in step.lines)]
        if step.grids:
            close()
            lines += grids_tex(step.grids, names)
    close()
    if explanation.omitted:
        lines += ["", prose(explanation.omitted)]
    return lines
