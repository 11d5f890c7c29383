"""`--format latex`: the view as LaTeX that pdflatex compiles with amsmath alone.

Each tensor is a bmatrix per 2-D slice, named in the user's notation with its shape; the
slices of one tensor stand in one row while they fit across a page, and a matrix too wide
for the page is cut into column blocks, each labelled. The conventions are an itemize list;
derivations are align* blocks, one line per entry, long sums continued on the next line.
A fragment by default; `standalone=True` wraps it in a whole document.
"""

from __future__ import annotations

import re

from cnncalc.render.latex_names import TexNames, segments
from cnncalc.render.latex_steps import tex_explanation
from cnncalc.render.latex_text import math_text, number, prose, shape
from cnncalc.render.view import GridView, ResultView, TensorView, build_view

PAGE = 60            # about how many characters of math fit across an article page
QUAD = r" \quad "
DEFAULT_MATRIX_COLUMNS = 10  # amsmath's MaxMatrixCols
PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath}\n\\allowdisplaybreaks\n\\sloppy\n\\begin{document}\n"


def width(tex: str) -> int:
    """About how many characters wide `tex` prints: commands, braces and marks count nothing,
    a subscript's digits less than a letter, a binary operator with its spacing more."""
    tex = tex.replace(r"\approx", "=")  # a relation: as wide as '=' with its spacing
    operators = len(re.findall(r"[-+=]|\\times|\\cdot|\\quad", tex))
    subscripts = sum(len(re.sub(r"[{}]", "", s)) for s in re.findall(r"_\{([^{}]*)\}", tex))
    bare = re.sub(r"\\[a-zA-Z]+|[{}_^&\x02\x03 ]", "", tex)
    return round(len(bare) - 0.3 * subscripts + 1.5 * operators)


def cell(text: str) -> str:
    """One cell: a number, a marked window cell [v] boxed, · padding, or marked math."""
    if len(text) > 2 and text[0] == "[" and text[-1] == "]":
        return rf"\boxed{{{cell(text[1:-1])}}}"
    if "\x0e" in text:
        return "".join(piece if is_math else math_text(piece) for is_math, piece in segments(text))
    return r"\cdot" if text == "·" else number(text)


def matrix(rows: list[list[str]]) -> str:
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def column_blocks(cells: list[list[str]], budget: int = PAGE) -> list[range]:
    """Consecutive column ranges whose matrices each fit in `budget` characters (one column at least)."""
    widths = [max(width(row[j]) for row in cells) + 2 for j in range(len(cells[0]))]
    blocks, start, used = [], 0, 0
    for j, w in enumerate(widths):
        if j > start and used + w > budget:
            blocks.append(range(start, j))
            start, used = j, 0
        used += w
    return blocks + [range(start, len(widths))]


def grid_items(grid: GridView) -> list[tuple[str, int]]:
    """(LaTeX, width) of each matrix of a grid: one, or one per column block, each labelled."""
    cells = [[cell(text) for text in row] for row in grid.cells]
    blocks = column_blocks(cells)
    items = []
    for columns in blocks:
        label = grid.slice_label
        if len(blocks) > 1:
            first, last = grid.column_labels[columns[0]], grid.column_labels[columns[-1]]
            span = f"column {first}" if first == last else f"columns {first}–{last}"
            label = f"{label}, {span}" if label else span
        tex = matrix([[row[j] for j in columns] for row in cells])
        size = sum(max(width(row[j]) for row in cells) + 2 for j in columns)
        items.append((rf"\underset{{\text{{{prose(label)}}}}}{{{tex}}}" if label else tex, size))
    return items


def rows_of_items(items: list[tuple[str, int]], first_budget: int) -> list[list[str]]:
    """Matrices placed left to right while they fit across the page, then on the next row."""
    rows, row, used, budget = [], [], 0, first_budget
    for tex, size in items:
        if row and used + size > budget:
            rows.append(row)
            row, used, budget = [], 0, PAGE
        row.append(tex)
        used += size + 2
    return rows + [row] if row else rows


def tensor_tex(tensor: TensorView, name: str) -> list[str]:
    """A tensor as displays: `name = value` for a scalar, else its matrices after its name and shape."""
    if tensor.scalar is not None:
        return [rf"\[ {name} = {number(tensor.scalar)} \]"]
    detail = rf",\ \text{{{prose(tensor.detail)}}}" if tensor.detail else ""
    title = rf"{name} \quad ({shape(tensor.shape)}{detail})"
    items = [item for grid in tensor.grids for item in grid_items(grid)]
    beside = PAGE - width(title) - 2
    if len(items) == 1 and not tensor.grids[0].slice_label and items[0][1] <= beside:
        return [rf"\[ {name} = {items[0][0]} \quad ({shape(tensor.shape)}{detail}) \]"]
    if items[0][1] > beside:  # the name on its own line, the matrices below it
        return [rf"\noindent ${title}$:"] + [rf"\[ {QUAD.join(row)} \]" for row in rows_of_items(items, PAGE)]
    joined = [QUAD.join(row) for row in rows_of_items(items, beside)]
    return [rf"\[ {title}\colon \quad {joined[0]} \]"] + [rf"\[ {row} \]" for row in joined[1:]]


def max_columns(view: ResultView) -> int:
    grids = [grid for section in view.sections for tensor in section.tensors for grid in tensor.grids]
    return max((len(grid.column_labels) for grid in grids), default=0)


def itemize(lines: list[str]) -> list[str]:
    if not lines:
        return []
    # An explicit bullet: the default one is a TS1 glyph that texlive-latex-base has only as
    # METAFONT source, built into a bitmap font on first use.
    return ["\\begin{itemize}"] + [f"\\item[$\\bullet$] {prose(line)}" for line in lines] + ["\\end{itemize}"]


def render_latex(result, precision: int = 4, base: int = 1, standalone: bool = False) -> str:
    """The result as LaTeX: a fragment needing amsmath, or with `standalone` a whole document."""
    from cnncalc.render.latex_explain import explanation_tex

    view = build_view(result, precision, base)
    names = TexNames(result.naming)
    lines = [f"% cnncalc {view.command}: written by cnncalc; needs \\usepackage{{amsmath}}"]
    columns = max(max_columns(view), explanation_columns(result, precision))
    if columns > DEFAULT_MATRIX_COLUMNS:
        lines.append(f"\\setcounter{{MaxMatrixCols}}{{{columns}}}")
    lines += [f"\\subsection*{{cnncalc {prose(view.command)}}}", "Conventions in force:"]
    lines += itemize(view.conventions + [f"note: {note}" for note in view.notes]
                     + [f"warning: {warning}" for warning in view.warnings])
    for section in view.sections:
        lines.append(f"\\subsubsection*{{{section.title}}}")
        for tensor in section.tensors:
            lines += tensor_tex(tensor, names.name(tensor.key))
    if result.explanation is not None:
        lines += explanation_tex(tex_explanation(result.explanation, result.naming, precision), names)
    text = "\n".join(lines) + "\n"
    return PREAMBLE + text + "\\end{document}\n" if standalone else text


def explanation_columns(result, precision: int) -> int:
    if result.explanation is None:
        return 0
    return max((len(grid.cells[0]) for step in result.explanation.steps for grid in step.grids if grid.cells),
               default=0)

