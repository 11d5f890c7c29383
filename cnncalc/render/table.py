"""Rich tables: a grid per 2-D slice, its name, shape and slice in the title.

Slices of one tensor stand side by side where the terminal is wide enough.
Colour only on a terminal; NO_COLOR is honoured by rich itself.
"""

from __future__ import annotations

import itertools

import numpy as np
from rich import box
from rich.columns import Columns
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from cnncalc.render.conventions import convention_lines
from cnncalc.render.numbers import format_number
from cnncalc.result import Result

SLICE_AXES = ("n", "c")


def _shape_text(shape) -> str:
    return "×".join(map(str, shape)) if len(shape) else "scalar"


def _grid(matrix: np.ndarray, title: str, precision: int, base: int) -> Group:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="dim")
    table.add_column("", style="dim", justify="right")
    for col in range(matrix.shape[1]):
        table.add_column(str(col + base), justify="right")
    for row in range(matrix.shape[0]):
        table.add_row(str(row + base), *(format_number(v, precision) for v in matrix[row]))
    return Group(Text(title, style="bold"), table)


def _position_grid(cells: np.ndarray, title: str, base: int) -> Group:
    """A grid of (row, col) positions, e.g. the argmax of each pooling window."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="dim")
    table.add_column("", style="dim", justify="right")
    for col in range(cells.shape[1]):
        table.add_column(str(col + base), justify="right")
    for row in range(cells.shape[0]):
        table.add_row(str(row + base), *(f"({r + base},{c + base})" for r, c in cells[row]))
    return Group(Text(title, style="bold"), table)


def position_view(name: str, cells: np.ndarray, base: int, axes: tuple[str, ...] = SLICE_AXES):
    heading = f"{name}  ({_shape_text(cells.shape[:-1])}, (row,col) in x)"
    if cells.ndim == 3:
        return _position_grid(cells, heading, base)
    lead = cells.shape[:-3]
    return Columns([_position_grid(cells[index], f"{heading} [{_slice_label(index, base, axes)}]", base)
                    for index in itertools.product(*(range(n) for n in lead))], padding=(0, 3))


def _slice_label(index: tuple[int, ...], base: int, axes: tuple[str, ...]) -> str:
    axes = axes[-len(index):] if len(index) <= len(axes) else [f"i{k}" for k in range(len(index))]
    return ", ".join(f"{axis}={i + base}" for axis, i in zip(axes, index))


def tensor_view(name: str, array: np.ndarray, precision: int, base: int, axes: tuple[str, ...] = SLICE_AXES):
    """A renderable for one tensor: a line for a scalar, grids for the rest."""
    array = np.asarray(array, dtype=np.float64)
    heading = f"{name}  ({_shape_text(array.shape)})"
    if array.ndim == 0:
        return Text.assemble((name, "bold"), f" = {format_number(array, precision)}")
    if array.ndim == 1:
        return _grid(array.reshape(1, -1), heading, precision, base)
    if array.ndim == 2:
        return _grid(array, heading, precision, base)
    lead = array.shape[:-2]
    grids = [_grid(array[index], f"{heading} [{_slice_label(index, base, axes)}]", precision, base)
             for index in itertools.product(*(range(n) for n in lead))]
    return Columns(grids, padding=(0, 3))


def _section(title: str, tensors: dict, result: Result, precision: int, base: int) -> list:
    if not tensors:
        return []
    views = [tensor_view(result.display_name(k), v, precision, base, result.slice_axes.get(k, SLICE_AXES))
             for k, v in tensors.items()]
    return [Text(title, style="bold underline"), *views, Text("")]


def build_view(result: Result, precision: int = 4, base: int = 1) -> Group:
    parts = [Text(f"cnncalc {result.command}", style="bold")]
    parts += [Text("  " + line, style="cyan") for line in convention_lines(result.conventions)]
    parts += [Text("  note: " + line, style="yellow") for line in result.notes]
    parts.append(Text(""))
    parts += _section("Inputs", result.inputs, result, precision, base)
    parts += _section("Forward", result.forward, result, precision, base)
    parts += _section("Backward", result.backward, result, precision, base)
    parts += _section("Details", result.extras, result, precision, base)
    if result.positions:
        if not result.extras:
            parts.append(Text("Details", style="bold underline"))
        parts += [position_view(result.display_name(k), v, base) for k, v in result.positions.items()]
    return Group(*parts)


def render_table(result: Result, console: Console, precision: int = 4, base: int = 1) -> None:
    console.print(build_view(result, precision, base), soft_wrap=True)
