"""Rich text tables of a ResultView: a grid per 2-D slice, its name, shape and slice in the title.

Nothing is ever cropped. On a terminal, a grid wider than the terminal is split into
blocks of columns, each with its column labels and the row labels repeated, and prose
wraps at spaces. Piped or written to a file, grids print at their natural width and
prose is not wrapped. Slices of one tensor stand side by side where they fit.
Row labels are set off by a '│' column so they never read as data without colour.
Colour only on a terminal; NO_COLOR is honoured by rich itself.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from cnncalc.render.view import GridView, ResultView, TensorView, build_view, heading
from cnncalc.result import Result

GAP = "   "  # between columns of a grid and between grids side by side
SEPARATOR = " │ "  # after the row labels
LABEL_STYLE = "dim"


@dataclass
class Block:
    """Lines of text of one printed grid (or one column block of it), all `width` wide or less."""

    lines: list[Text]
    width: int


def _column_widths(grid: GridView) -> list[int]:
    return [max([cell_len(label)] + [cell_len(row[j]) for row in grid.cells])
            for j, label in enumerate(grid.column_labels)]


def _label_width(grid: GridView) -> int:
    return max((cell_len(label) for label in grid.row_labels), default=0)


def _column_blocks(widths: list[int], label_width: int, limit: int | None) -> list[range]:
    """Consecutive column ranges that each fit in `limit` cells (at least one column each)."""
    if limit is None:
        return [range(len(widths))]
    blocks, start, used = [], 0, label_width + len(SEPARATOR)
    for j, width in enumerate(widths):
        extra = width + (len(GAP) if j > start else 0)
        if j > start and used + extra > limit:
            blocks.append(range(start, j))
            start, used, extra = j, label_width + len(SEPARATOR), width
        used += extra
    blocks.append(range(start, len(widths)))
    return blocks


def _grid_block(title: str, grid: GridView, columns: range, widths: list[int]) -> Block:
    label_width = _label_width(grid)
    header = Text(" " * label_width + SEPARATOR, style=LABEL_STYLE)
    header.append(GAP.join(grid.column_labels[j].rjust(widths[j]) for j in columns))
    body_width = sum(widths[j] for j in columns) + len(GAP) * max(len(columns) - 1, 0)
    rule = Text("─" * (label_width + 1) + "┼" + "─" * (body_width + 1), style=LABEL_STYLE)
    lines = [Text(title, style="bold"), header, rule]
    for label, row in zip(grid.row_labels, grid.cells):
        line = Text.assemble((label.rjust(label_width) + SEPARATOR, LABEL_STYLE))
        line.append(GAP.join(_rjust(row[j], widths[j]) for j in columns))
        lines.append(line)
    return Block(lines, max(cell_len(title), label_width + len(SEPARATOR) + body_width))


def _rjust(text: str, width: int) -> str:
    return " " * (width - cell_len(text)) + text


def grid_blocks(tensor: TensorView, grid: GridView, limit: int | None) -> list[Block]:
    """One block for a grid that fits in `limit` (None: no limit), else one per column block."""
    widths = _column_widths(grid)
    title = heading(tensor, grid)
    ranges = _column_blocks(widths, _label_width(grid), limit)
    if len(ranges) > 1:
        labels = grid.column_labels
        return [_grid_block(f"{title}, {_columns_text(labels[r[0]], labels[r[-1]])}", grid, r, widths)
                for r in ranges]
    return [_grid_block(title, grid, ranges[0], widths)]


def _columns_text(first: str, last: str) -> str:
    return f"column {first}" if first == last else f"columns {first}–{last}"


def side_by_side(blocks: list[Block], width: int) -> list[Text]:
    """Blocks placed left to right while they fit in `width`, then on the next rows."""
    lines: list[Text] = []
    row: list[Block] = []
    for block in blocks:
        if row and sum(b.width for b in row) + len(GAP) * len(row) + block.width > width:
            lines += _join_row(row)
            row = []
        row.append(block)
    return lines + (_join_row(row) if row else [])


def _join_row(row: list[Block]) -> list[Text]:
    height = max(len(block.lines) for block in row)
    joined = []
    for i in range(height):
        line = Text()
        for k, block in enumerate(row):
            part = block.lines[i] if i < len(block.lines) else Text()
            line.append_text(part)
            if k < len(row) - 1:
                line.append(" " * (block.width - part.cell_len) + GAP)
        joined.append(line)
    return joined


def tensor_lines(tensor: TensorView, width: int, limit: int | None) -> list[Text]:
    """A scalar as 'name = value'; otherwise its grids, split to `limit` and placed side by side."""
    if tensor.scalar is not None:
        return [Text.assemble((tensor.name, "bold"), f" = {tensor.scalar}")]
    if tensor.summary is not None:
        return [Text(heading(tensor), style="bold"), Text(f"  {tensor.summary}")]
    blocks = [block for grid in tensor.grids for block in grid_blocks(tensor, grid, limit)]
    return side_by_side(blocks, width)


def prose_lines(text: str, indent: str, hang: int, style: str, limit: int | None) -> list[Text]:
    """A convention or note line, wrapped at spaces only (never inside a word) when `limit` is set.

    Continuation lines are indented `hang` spaces.
    """
    if limit is None:
        return [Text(indent + text, style=style)]
    wrapped = textwrap.wrap(text, limit, break_long_words=False, break_on_hyphens=False,
                            initial_indent=indent, subsequent_indent=" " * hang)
    return [Text(line, style=style) for line in wrapped]


def view_lines(view: ResultView, width: int, limit: int | None) -> list[Text]:
    """Every line of the table output: header, conventions, notes, then the sections."""
    lines = [Text(f"cnncalc {view.command}", style="bold")]
    for line in view.conventions:
        lines += prose_lines(line, "  ", 4, "cyan", limit)
    for line in view.notes:
        lines += prose_lines(line, "  note: ", 8, "yellow", limit)
    for line in view.warnings:
        lines += prose_lines(line, "  warning: ", 11, "bold red", limit)
    for section in view.sections:
        lines += [Text(""), Text(section.title, style="bold underline")]
        for tensor in section.tensors:
            lines += tensor_lines(tensor, width, limit)
    if view.explanation is not None:
        lines += explanation_lines(view.explanation, width, limit)
    return lines


def explanation_lines(explanation, width: int, limit: int | None) -> list[Text]:
    """The derivation: one paragraph per step (wrapped at spaces only), its grids below it."""
    lines = [Text(""), Text(explanation.title, style="bold underline")]
    for step in explanation.steps:
        for line in step.lines:
            lines += prose_lines(line, "  ", 6, "", limit)
        if step.grids:
            blocks = [block for tensor in step.grids for grid in tensor.grids
                      for block in grid_blocks(tensor, grid, None if limit is None else limit - 4)]
            lines += [Text("    ") + line for line in side_by_side(blocks, width - 4)]
    if explanation.omitted:
        lines += prose_lines(explanation.omitted, "  ", 4, "yellow", limit)
    return lines


def render_table(result: Result, console: Console, precision: int = 4, base: int = 1) -> None:
    """Print `result` on `console`: split to the terminal's width, or at natural width when piped."""
    limit = console.width if console.is_terminal else None
    lines = view_lines(build_view(result, precision, base), console.width, limit)
    for line in lines:
        line.rstrip()
    console.print(Text("\n").join(lines), soft_wrap=True)  # one print: each costs a render pass
