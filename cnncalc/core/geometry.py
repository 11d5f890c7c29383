"""Sliding-window geometry: padding, output size, window positions.

The one owner of these rules. Convolution, pooling, validation, `cnncalc shape`
and (later) explanations all ask this module, so a padding rule lives in one place.

Conventions, per spatial axis:
  effective kernel   K = d·(k − 1) + 1
  output size        o = floor((n + p_lo + p_hi − K) / s) + 1   (ceil with ceil_mode)
  window i reads     padded rows i·s + a·d, a = 0..k−1; input row = that − p_lo
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from cnncalc.errors import CnnError
from cnncalc.vocabulary import AXIS_WORDS, PADDING_EXPECTED

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]  # ((top, bottom), (left, right))



def as_pair(value, field: str, minimum: int) -> Pair:
    """An int or a pair of ints as (rows, cols), each at least `minimum`."""
    items = list(value) if isinstance(value, (list, tuple)) else [value, value]
    if len(items) != 2 or not all(_is_int(v) for v in items):
        raise CnnError(field, "an integer or a pair of integers", repr(value))
    pair = (int(items[0]), int(items[1]))
    if min(pair) < minimum:
        raise CnnError(field, f"integers of at least {minimum}", repr(value))
    return pair


def _is_int(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def effective_kernel(k: int, dilation: int) -> int:
    return dilation * (k - 1) + 1


def explicit_padding(spec, field: str = "padding") -> Padding:
    """Padding given as numbers: p, (p_rows, p_cols) or ((top, bottom), (left, right))."""
    if isinstance(spec, (list, tuple)) and len(spec) == 2 and all(isinstance(v, (list, tuple)) for v in spec):
        rows = as_pair(spec[0], f"{field}[0]", 0)
        cols = as_pair(spec[1], f"{field}[1]", 0)
        return rows, cols
    rows, cols = as_pair(spec, field, 0)
    return (rows, rows), (cols, cols)


def same_padding(n: int, k: int, stride: int, dilation: int) -> Pair:
    """TensorFlow's SAME: output ceil(n / s), the odd pixel of padding at the high end."""
    out = -(-n // stride)
    total = max((out - 1) * stride + effective_kernel(k, dilation) - n, 0)
    return total // 2, total - total // 2


def anchor_padding(k: int, dilation: int, anchor: int, mode: str) -> Pair:
    """Padding that puts kernel cell `anchor` over every input position.

    In convolution mode the kernel is rotated 180° before it slides, so the
    anchor cell moves to k − 1 − anchor, as in seed 004's loop code.
    """
    cell = k - 1 - anchor if mode == "convolution" else anchor
    return dilation * cell, dilation * (k - 1 - cell)


def _pads_something(spec) -> bool:
    if spec is None or spec == "valid":
        return False
    return isinstance(spec, str) or explicit_padding(spec) != ((0, 0), (0, 0))


def resolve_padding(spec, in_hw: Pair, kernel_hw: Pair, stride: Pair, dilation: Pair,
                    anchor=None, mode: str = "correlation") -> Padding:
    """Turn any padding spelling (or a kernel anchor) into ((top, bottom), (left, right))."""
    if anchor is not None:
        if _pads_something(spec):
            raise CnnError("anchor", "either an anchor or a padding, not both", f"padding {spec!r}")
        cells = as_pair(anchor, "anchor", 0)
        for axis, (cell, k) in enumerate(zip(cells, kernel_hw)):
            if cell >= k:
                raise CnnError("anchor", f"a kernel cell index below {k} in the {AXIS_WORDS[axis]}", str(cell))
        return tuple(anchor_padding(k, d, c, mode) for k, d, c in zip(kernel_hw, dilation, cells))
    if spec is None or spec == "valid":
        return (0, 0), (0, 0)
    if spec == "same":
        return tuple(same_padding(n, k, s, d) for n, k, s, d in zip(in_hw, kernel_hw, stride, dilation))
    if spec == "full":
        return tuple((d * (k - 1),) * 2 for k, d in zip(kernel_hw, dilation))
    if isinstance(spec, str):
        raise CnnError("padding", PADDING_EXPECTED, repr(spec))
    return explicit_padding(spec)


def window_count(n: int, k: int, stride: int, dilation: int, pad: Pair, ceil_mode: bool = False) -> int:
    """Windows along one axis by the size formula alone: ⌊span / s⌋ + 1, or ⌈span / s⌉ + 1 in ceil mode."""
    span = n + pad[0] + pad[1] - effective_kernel(k, dilation)
    # Floor division of a possibly negative span, as PyTorch's div_rtn: in ceil mode a
    # window may overshoot the padded input by less than one stride.
    return span // stride + 1 if not ceil_mode else (span + stride - 1) // stride + 1


def output_length(n: int, k: int, stride: int, dilation: int, pad: Pair, ceil_mode: bool = False) -> int:
    """Number of window positions along one axis (PyTorch's rule, ceil_mode included)."""
    out = window_count(n, k, stride, dilation, pad, ceil_mode)
    # PyTorch drops a last window that would start inside the right padding.
    if ceil_mode and out > 0 and (out - 1) * stride >= n + pad[0]:
        out -= 1
    return max(out, 0)


@dataclass(frozen=True)
class WindowGeometry:
    """Everything about how a kernel or pool window slides over a 2-D input."""

    in_hw: Pair
    kernel_hw: Pair
    stride: Pair
    dilation: Pair
    padding: Padding
    ceil_mode: bool = False

    @functools.cached_property
    def out_hw(self) -> Pair:
        return tuple(
            output_length(n, k, s, d, p, self.ceil_mode)
            for n, k, s, d, p in zip(self.in_hw, self.kernel_hw, self.stride, self.dilation, self.padding)
        )

    @property
    def padded_hw(self) -> Pair:
        return tuple(n + p[0] + p[1] for n, p in zip(self.in_hw, self.padding))

    @property
    def effective_kernel_hw(self) -> Pair:
        return tuple(effective_kernel(k, d) for k, d in zip(self.kernel_hw, self.dilation))

    @functools.lru_cache(maxsize=None)  # noqa: B019 (instances are small, frozen and few)
    def read_extent_hw(self) -> Pair:
        """Rows/cols of the padded input that the windows reach (at least the padded size)."""
        return tuple(
            max(p, (o - 1) * s + ek) if o > 0 else p
            for p, o, s, ek in zip(self.padded_hw, self.out_hw, self.stride, self.effective_kernel_hw)
        )

    @functools.lru_cache(maxsize=None)  # noqa: B019 (instances are small, frozen and few)
    def offsets(self) -> list[tuple[slice, slice]]:
        """For each kernel cell (a, e), row-major, the padded rows and columns it meets."""
        (sh, sw), (dh, dw) = self.stride, self.dilation
        (ho, wo), (kh, kw) = self.out_hw, self.kernel_hw
        return [(slice(a * dh, a * dh + sh * (ho - 1) + 1, sh), slice(e * dw, e * dw + sw * (wo - 1) + 1, sw))
                for a in range(kh) for e in range(kw)]

    @property
    def padding_free(self) -> bool:
        """The windows read the input itself: no padding, and none needed past its last row or column."""
        return self.padding == ((0, 0), (0, 0)) and self.read_extent_hw() == tuple(self.in_hw)

    def cell_shifts(self) -> list[int]:
        """Per kernel offset (a, e), row-major: its flat distance from the window's first cell in a
        padded block of read_extent_hw() (a·d_h·Q + e·d_w for rows Q long)."""
        cols = self.read_extent_hw()[1]
        (kh, kw), (dh, dw) = self.kernel_hw, self.dilation
        return [a * dh * cols + e * dw for a in range(kh) for e in range(kw)]

    def pad(self, x: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """x (..., H, W) placed in a (..., rows, cols) block of `fill` that every window fits in."""
        (top, _), (left, _) = self.padding
        h, w = x.shape[-2:]
        out = np.full(x.shape[:-2] + self.read_extent_hw(), fill, dtype=x.dtype)
        out[..., top:top + h, left:left + w] = x
        return out

    def unpad(self, xp: np.ndarray) -> np.ndarray:
        """The (..., H, W) input part of a padded block (a view)."""
        (top, _), (left, _) = self.padding
        h, w = self.in_hw
        return xp[..., top:top + h, left:left + w]

    def check_fits(self, field: str = "kernel") -> None:
        if min(self.out_hw) < 1:
            axis = 0 if self.out_hw[0] < 1 else 1
            raise CnnError(
                field,
                f"a window that fits the padded input ({self.padded_hw[0]}x{self.padded_hw[1]})",
                f"an effective kernel of {self.effective_kernel_hw[0]}x{self.effective_kernel_hw[1]}"
                f" (too large in the {AXIS_WORDS[axis]})",
                hint="use a smaller kernel or more padding",
            )


def window_geometry(in_hw: Pair, kernel_hw: Pair, stride=1, padding=None, dilation=1,
                    anchor=None, mode: str = "correlation", ceil_mode: bool = False) -> WindowGeometry:
    """Validate the options and resolve them into a WindowGeometry."""
    stride_p = as_pair(stride, "stride", 1)
    dilation_p = as_pair(dilation, "dilation", 1)
    pad = resolve_padding(padding, in_hw, kernel_hw, stride_p, dilation_p, anchor, mode)
    return WindowGeometry(tuple(in_hw), tuple(kernel_hw), stride_p, dilation_p, pad, ceil_mode)


def recorded_geometry(params: dict, in_hw: Pair, kernel_hw: Pair) -> WindowGeometry:
    """The geometry a result's parameters record, rebuilt (padding already resolved into pairs):
    how explanations and the diagnosis of a wrong answer see the layer the solver ran."""
    padding = tuple(tuple(pair) for pair in params["padding"])
    return WindowGeometry(tuple(in_hw), tuple(kernel_hw), tuple(params["stride"]), tuple(params["dilation"]),
                          padding, bool(params.get("ceil_mode", False)))


# --- per-window and per-cell lookups (for term maps and explanations) ---------------------------

@dataclass(frozen=True, eq=False)
class WindowCells:
    """The kH·kW cells output window (i, j) reads, row-major in kernel order.

    cells    (k, 2) int  (row, col) in unpadded input coordinates: row = i·s + a·d − top
    offsets  (k, 2) int  the kernel offset (a, e) that meets each cell (before any rotation)
    inside   (k,)  bool  the cell is a real input cell (False: padding, or past it in ceil mode)
    """

    cells: np.ndarray
    offsets: np.ndarray
    inside: np.ndarray


@dataclass(frozen=True, eq=False)
class CoveringWindows:
    """The output windows that read one input cell, ordered by (i, j) row-major.

    windows  (m, 2) int  output positions (i, j), 0 ≤ i < Ho, 0 ≤ j < Wo
    offsets  (m, 2) int  the kernel offset (a, e) at which window (i, j) reads the cell
    """

    windows: np.ndarray
    offsets: np.ndarray


@functools.lru_cache(maxsize=256)
def _kernel_grid(kernel_hw: Pair) -> np.ndarray:
    """(kH·kW, 2) int: every kernel offset (a, e), row-major; read-only."""
    kh, kw = kernel_hw
    grid = np.stack(np.divmod(np.arange(kh * kw), kw), axis=1)
    grid.flags.writeable = False
    return grid


def window_cells(geom: WindowGeometry, i: int, j: int) -> WindowCells:
    """Input cells of output window (i, j): row i·s_h + a·d_h − top, col j·s_w + e·d_w − left.

    Every kernel offset (a, e) is listed, padded cells included and flagged by `inside`.
    (i, j) is not checked against out_hw: callers ask only for windows that exist.
    """
    offsets = _kernel_grid(tuple(geom.kernel_hw))
    start = np.array([i * geom.stride[0] - geom.padding[0][0], j * geom.stride[1] - geom.padding[1][0]])
    cells = start + offsets * np.array(geom.dilation)
    inside = (cells >= 0).all(axis=1) & (cells < np.array(geom.in_hw)).all(axis=1)
    return WindowCells(cells, offsets, inside)


def _axis_covering(r: int, out: int, k: int, stride: int, dilation: int, pad_lo: int):
    """Along one axis: the window positions i and kernel offsets a with i·s + a·d − pad_lo = r."""
    a = np.arange(k)
    start, rest = np.divmod(r + pad_lo - a * dilation, stride)
    keep = (rest == 0) & (start >= 0) & (start < out)
    return start[keep][::-1], a[keep][::-1]  # windows ascending


def windows_covering(geom: WindowGeometry, r: int, c: int) -> CoveringWindows:
    """Output windows (i, j) whose window reads input cell (r, c), with the offset (a, e) there.

    (i, j) covers (r, c) iff r = i·s_h + a·d_h − top and c = j·s_w + e·d_w − left for some
    kernel offset (a, e), with (i, j) inside the output. The inverse of window_cells; any
    (r, c) may be asked, a padded one too (the windows that read that zero).
    """
    rows, a = _axis_covering(r, geom.out_hw[0], geom.kernel_hw[0], geom.stride[0], geom.dilation[0],
                             geom.padding[0][0])
    cols, e = _axis_covering(c, geom.out_hw[1], geom.kernel_hw[1], geom.stride[1], geom.dilation[1],
                             geom.padding[1][0])
    windows = np.stack([np.repeat(rows, len(cols)), np.tile(cols, len(rows))], axis=1)
    offsets = np.stack([np.repeat(a, len(e)), np.tile(e, len(a))], axis=1)
    return CoveringWindows(windows, offsets)


def _axis_span(offset: int, n: int, out: int, stride: int, dilation: int, pad_lo: int):
    """Along one axis: the windows i whose cell at kernel offset `offset` is a real input cell
    (0 ≤ i·s + offset·d − pad_lo < n), and those cells, as (window slice, input slice); None if none."""
    shift = offset * dilation - pad_lo
    first = max(0, -(shift // stride))  # smallest i with i·s + shift ≥ 0
    last = min(out - 1, (n - 1 - shift) // stride)
    if last < first:
        return None
    start = first * stride + shift
    return slice(first, last + 1), slice(start, start + (last - first) * stride + 1, stride)


def _axis_spans(geom: WindowGeometry, a: int, e: int):
    return tuple(_axis_span(off, n, out, s, d, pad[0])
                 for off, n, out, s, d, pad in zip((a, e), geom.in_hw, geom.out_hw, geom.stride,
                                                   geom.dilation, geom.padding))


@functools.lru_cache(maxsize=64)
def offset_spans(geom: WindowGeometry) -> list[tuple[int, int, tuple[slice, slice], tuple[slice, slice]]]:
    """Per kernel offset (a, e) that meets a real cell: (a, e, window slices, input slices): the
    windows (rows, cols of the output) whose cell at (a, e) is real, and those input cells."""
    spans = []
    for a in range(geom.kernel_hw[0]):
        for e in range(geom.kernel_hw[1]):
            rows, cols = _axis_spans(geom, a, e)
            if rows and cols:
                spans.append((a, e, (rows[0], cols[0]), (rows[1], cols[1])))
    return spans


def offset_reads(geom: WindowGeometry, a: int, e: int):
    """Where kernel offset (a, e) lands, one axis at a time: ((i, r), (j, c)), four int arrays.

    i are the output rows whose window reads a real input row r = i·s_h + a·d_h − top there
    (0 ≤ r < H), and likewise j, c for columns; every window (i[p], j[q]) reads (r[p], c[q])
    at offset (a, e), and no other window reads a real cell there.
    """
    reads = []
    for span, n, out in zip(_axis_spans(geom, a, e), geom.in_hw, geom.out_hw):
        empty = np.arange(0)
        reads.append((np.arange(out)[span[0]], np.arange(n)[span[1]]) if span else (empty, empty))
    return tuple(reads)
