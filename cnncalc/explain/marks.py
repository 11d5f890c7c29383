"""Small grids for one entry: the input (or dy) with the cells that make the entry marked.

Marks are data ('mark', 'pad', 'zero', ''); the renderers draw them without colour
(brackets around marked cells, '·' for padding).
"""

from __future__ import annotations

import numpy as np

from cnncalc.core.geometry import WindowGeometry
from cnncalc.explain.steps import MarkedGrid
from cnncalc.explain.tensors import TensorRef


def _lead(ref: TensorRef, lead: tuple[int, ...]) -> tuple[int, ...]:
    """The user's index of slice `lead` (its leading map indices), without the last two axes."""
    user = ref.user_index(tuple(lead) + (0,) * (len(ref.map_shape) - len(lead)))
    return user[:max(len(ref.user_shape) - 2, 0)]


def padded_grid(ref: TensorRef, lead: tuple[int, ...], geom: WindowGeometry, marked: set, role: str = "input"
                ) -> MarkedGrid:
    """Slice `lead` of a 4-D map tensor inside its padding; `marked` holds (row, col) input cells."""
    (top, _), (left, _) = geom.padding
    rows, cols = geom.read_extent_hw()
    h, w = geom.in_hw
    cells, marks = [], []
    for pr in range(rows):
        r = pr - top
        row_cells, row_marks = [], []
        for pc in range(cols):
            c = pc - left
            inside = 0 <= r < h and 0 <= c < w
            value = float(ref.values[tuple(lead) + (r, c)]) if inside and ref.values is not None else None
            row_cells.append(value if inside else 0.0)
            row_marks.append(("mark" if (r, c) in marked else "") if inside else
                             ("pad+mark" if (r, c) in marked else "pad"))
        cells.append(tuple(row_cells))
        marks.append(tuple(row_marks))
    return MarkedGrid(ref.name, _lead(ref, lead), tuple(cells), tuple(marks), (-top, -left), role)


def plain_grid(ref: TensorRef, lead: tuple[int, ...], marked: set, role: str = "") -> MarkedGrid:
    """Slice `lead` of a map tensor (2-D after the lead), `marked` (row, col) cells marked."""
    shape = ref.map_shape[len(lead):]
    if len(shape) == 1:
        shape = (1,) + tuple(shape)
    cells, marks = [], []
    for r in range(shape[0]):
        index = [(r, c) if len(ref.map_shape) - len(lead) == 2 else (c,) for c in range(shape[1])]
        cells.append(tuple(None if ref.values is None else float(ref.values[tuple(lead) + i]) for i in index))
        marks.append(tuple("mark" if i in marked or (r, i[-1]) in marked else "" for i in index))
    return MarkedGrid(ref.name, _lead(ref, lead), tuple(cells), tuple(marks), (0, 0), role)


def cells_of(indices: np.ndarray) -> dict[tuple, set]:
    """Rows (…, r, q) of a (k, 4) index array grouped by their slice (n, c): {(n, c): {(r, q), ...}}."""
    groups: dict[tuple, set] = {}
    for row in np.asarray(indices).tolist():
        groups.setdefault(tuple(row[:2]), set()).add(tuple(row[2:]))
    return groups
