"""Steps written for people: each Step of an Explanation as lines of text (and small grids).

Names and indices come from Naming (the user's notation and index base); numbers from
render.numbers. Marks are drawn without colour: [v] a cell in the window, · padding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnncalc.render.explanation_text import StepWriter
from cnncalc.render.view import GridView, TensorView


@dataclass
class StepView:
    lines: list[str]
    grids: list[TensorView] = field(default_factory=list)


@dataclass
class ExplanationView:
    title: str
    steps: list[StepView]
    omitted: str = ""


def _cell_text(writer: StepWriter, grid, r: int, c: int) -> str:
    value, mark = grid.cells[r][c], grid.marks[r][c]
    if "pad" in mark:
        return "[·]" if "mark" in mark else "·"
    if value is None:
        index = grid.index + (grid.origin[0] + r, grid.origin[1] + c)
        text = writer.entry(grid.name, index)
    else:
        text = writer.number(value)
    return f"[{text}]" if mark == "mark" else text


def grid_view(writer: StepWriter, grid) -> TensorView:
    """A MarkedGrid as a TensorView the table renderer lays out; labels count from the tensor's own origin."""
    rows, cols = len(grid.cells), len(grid.cells[0]) if grid.cells else 0
    base = writer.naming.base
    view = GridView("", [str(grid.origin[0] + r + base) for r in range(rows)],
                    [str(grid.origin[1] + c + base) for c in range(cols)],
                    [[_cell_text(writer, grid, r, c) for c in range(cols)] for r in range(rows)])
    return TensorView(grid.name, writer.grid_title(grid), (rows, cols), grids=[view])


def explanation_view(explanation, naming, precision: int = 4) -> ExplanationView:
    writer = StepWriter(naming, explanation.shapes, precision, explanation.symbolic)
    steps = [StepView(writer.lines(step), [grid_view(writer, grid) for grid in step.grids])
             for step in explanation.steps]
    omitted = ""
    if explanation.omitted:
        omitted = (f"… {explanation.omitted} more step{'s' if explanation.omitted != 1 else ''} left out "
                   f"(--max-steps {len(explanation.steps)}; --max-steps 0 shows every step)")
    title = "Symbolic derivation" if explanation.symbolic else "Explanation"
    return ExplanationView(title, steps, omitted)
