"""The neutral view of a Result: what every text renderer shows, built once.

Plain data, no rich, no layout: sections of tensors, each tensor a list of 2-D grids
whose cells are already written as text (precision, index base and display names
applied). The table renderer lays them out for a terminal; Markdown and LaTeX format
the same grids.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from cnncalc.core.residue import tensor_scale
from cnncalc.render.numbers import format_number, format_tensor
from cnncalc.render.conventions import convention_lines
from cnncalc.result import Result

SLICE_AXES = ("n", "c")
# A tensor past this many entries is summarised in a table (shape, min, max, mean), not printed:
# nobody reads a 1000×1000 grid, and writing one takes seconds. JSON and YAML always hold every entry.
TABLE_ENTRIES = 10_000
SECTION_TITLES = ("Inputs", "Forward", "Backward", "Details")
VALUES, POSITIONS = "values", "positions"


@dataclass
class GridView:
    """One 2-D slice. cells[r][c] is the text of row r, column c.

    slice_label names the slice inside its tensor ("n=1, c=2"), "" when the tensor is the
    grid itself. A 1-D tensor is one row whose row label is the tensor's display name.
    """

    slice_label: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[str]]


@dataclass
class TensorView:
    """One tensor: a scalar's text, or its grids (one per 2-D slice, in C order).

    kind is VALUES (numbers) or POSITIONS (argmax cells written "(row,col)", `detail` says
    where they point). shape is the tensor's shape (for POSITIONS, without the last axis).
    """

    key: str
    name: str
    shape: tuple[int, ...]
    kind: str = VALUES
    scalar: str | None = None
    grids: list[GridView] = field(default_factory=list)
    detail: str = ""
    summary: str | None = None  # instead of grids, for a tensor past TABLE_ENTRIES


@dataclass
class SectionView:
    title: str
    tensors: list[TensorView]


@dataclass
class ResultView:
    command: str
    conventions: list[str]
    notes: list[str]
    warnings: list[str]
    sections: list[SectionView]
    precision: int
    index_base: int
    explanation: object | None = None  # render.explanation.ExplanationView


def shape_text(shape: tuple[int, ...]) -> str:
    """'3×4' for a shape, 'scalar' for ()."""
    return "×".join(map(str, shape)) if len(shape) else "scalar"


def heading(tensor: TensorView, grid: GridView | None = None) -> str:
    """The plain-text title of a tensor or one of its grids: 'x  (2×3×3) [c=1]'."""
    inside = shape_text(tensor.shape) + (f", {tensor.detail}" if tensor.detail else "")
    label = f" [{grid.slice_label}]" if grid is not None and grid.slice_label else ""
    return f"{tensor.name}  ({inside}){label}"


def _slice_label(index: tuple[int, ...], base: int, axes: tuple[str, ...]) -> str:
    axes = axes[-len(index):] if len(index) <= len(axes) else [f"i{k}" for k in range(len(index))]
    return ", ".join(f"{axis}={i + base}" for axis, i in zip(axes, index))


def _grids(texts: np.ndarray, row_name: str, base: int, axes: tuple[str, ...]) -> list[GridView]:
    """Grids of the 2-D slices of `texts`, an array of cell strings with ndim >= 1."""
    if texts.ndim == 1:
        return [GridView("", [row_name], _labels(texts.shape[0], base), [list(texts)])]
    grids = []
    for index in itertools.product(*(range(n) for n in texts.shape[:-2])):
        matrix = texts[index]
        grids.append(GridView(_slice_label(index, base, axes) if index else "",
                              _labels(matrix.shape[0], base), _labels(matrix.shape[1], base),
                              [list(row) for row in matrix]))
    return grids


def _labels(count: int, base: int) -> list[str]:
    return [str(i + base) for i in range(count)]


def value_tensor(key: str, name: str, array, precision: int, base: int,
                 axes: tuple[str, ...] = SLICE_AXES, exact=None, magnitudes=None) -> TensorView:
    """A tensor of numbers, each written against the tensor's scale (numbers.format_tensor);
    with `exact` (Fractions, --exact), each fraction beside its decimal: '198/5 (39.6)'."""
    from cnncalc.render.exact import beside

    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 0:
        scale = tensor_scale(array) if magnitudes is None else max(tensor_scale(array), tensor_scale(magnitudes))
        text = format_number(array, precision, scale)
        return TensorView(key, name, (), scalar=text if exact is None else beside(np.array(text, object), exact)[()])
    if array.size > TABLE_ENTRIES:
        return TensorView(key, name, array.shape, summary=summary_text(array, precision))
    texts = format_tensor(array, precision, magnitudes)
    texts = texts if exact is None else beside(texts, exact)
    return TensorView(key, name, array.shape, grids=_grids(texts, name, base, axes))


def summary_text(array: np.ndarray, precision: int) -> str:
    """A big tensor in one line: how many entries, min, max and mean of the finite ones, the others counted."""
    finite = array[np.isfinite(array)]
    text = f"{array.size:,} entries, too many for a table"
    if finite.size:
        with np.errstate(over="ignore"):
            mean = finite.mean(dtype=np.float64)
        stats = (("min", finite.min()), ("max", finite.max()), ("mean", mean))
        text += ": " + ", ".join(f"{word} {format_number(value, precision)}" for word, value in stats)
    if finite.size < array.size:
        text += f"; {array.size - finite.size:,} not finite"
    return text


def position_tensor(key: str, name: str, cells, base: int, axes: tuple[str, ...] = SLICE_AXES) -> TensorView:
    """Positions (..., 2), 0-based (row, col) in x, written '(row,col)' in the index base."""
    cells = np.asarray(cells)
    if cells.size // 2 > TABLE_ENTRIES:
        return TensorView(key, name, cells.shape[:-1], POSITIONS, detail="(row,col) in x",
                          summary=f"{cells.size // 2:,} positions, too many for a table")
    texts = np.empty(cells.shape[:-1], dtype=object)
    for index in np.ndindex(texts.shape):
        row, col = cells[index]
        texts[index] = f"({row + base},{col + base})"
    grids = _grids(texts, name, base, axes) if texts.ndim else []
    return TensorView(key, name, texts.shape, POSITIONS, grids=grids, detail="(row,col) in x")


def _section(result: Result, tensors: dict, precision: int, base: int) -> list[TensorView]:
    exact = result.exact or {}  # set by --exact (cnncalc.exact)
    return [value_tensor(key, _display_name(result, key), array, precision, base,
                         result.slice_axes.get(key, SLICE_AXES), exact.get(key), result.magnitudes.get(key))
            for key, array in tensors.items()]


def _display_name(result: Result, key: str) -> str:
    return result.naming.shown(key)


def _summary_notes(command: str, sections: list[SectionView]) -> list[str]:
    """How to get every entry of the tensors a table only summarises."""
    summarised = [tensor.name for section in sections for tensor in section.tensors if tensor.summary]
    if not summarised:
        return []
    only = f", or keep fewer tensors with --only {summarised[0]}" if command == "pipeline" else ""
    return [f"{', '.join(summarised)}: past {TABLE_ENTRIES:,} entries a table shows a summary; every entry is "
            f"in --json (or --format yaml){only}"]


def build_view(result: Result, precision: int = 4, base: int = 1) -> ResultView:
    """The view of `result`: sections Inputs, Forward, Backward, Details (empty ones left out).

    Details holds the extras, then the positions (max-pool argmax).
    """
    groups = (result.inputs, result.forward, result.backward, result.extras)
    sections = [SectionView(title, _section(result, tensors, precision, base))
                for title, tensors in zip(SECTION_TITLES, groups)]
    sections[-1].tensors += [position_tensor(key, _display_name(result, key), cells, base)
                             for key, cells in result.positions.items()]
    explained = None
    if result.explanation is not None:
        from cnncalc.render.explanation import explanation_view

        explained = explanation_view(result.explanation, result.naming, precision)
    notes = list(result.notes) + _summary_notes(result.command, sections)
    return ResultView(result.command, convention_lines(result.conventions), notes, list(result.warnings),
                      [section for section in sections if section.tensors], precision, base, explained)
