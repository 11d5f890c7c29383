"""Per-entry term maps: the products that make up one entry of a layer's output or gradient.

For the linear layers each entry is a sum of products, read off the window geometry,
and the gradients are the same pairs read from the other end (correlation mode; in
convolution mode w[o,c',a,e] becomes w[o,c',kH−1−a,kW−1−e]):

  conv  y[n,o,i,j]    = b[o] + Σ_{c',a,e} x[n, c, r, q] · w[o,c',a,e],  c = g·C/G + c' (g: o's group),
                        r = i·s_h + a·d_h − top, q = j·s_w + e·d_w − left, padded (r, q) left out
        dx[n,c,r,q]   = Σ dy[n,o,i,j] · w[o,c',a,e]   over every (o, i, j, a, e) whose window puts
                        kernel cell (a, e) on (r, q)
        dw[o,c',a,e]  = Σ_{n,i,j} x[n, c, r, q] · dy[n,o,i,j]
        db[o]         = Σ_{n,i,j} dy[n,o,i,j]
  fc    y[n,o]  = b[o] + Σ_i x[n,i] · w[o,i];   dx[n,i] = Σ_o dy[n,o] · w[o,i]
        dw[o,i] = Σ_n x[n,i] · dy[n,o];         db[o]   = Σ_n dy[n,o]

Padded cells hold zeros and are simply absent from the lists. Everything is lazy: one
entry's terms are built when it is asked for, in time proportional to its terms.
Pooling's maps are in terms_pool.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

import numpy as np

from cnncalc.core.geometry import WindowGeometry, offset_reads, window_cells, windows_covering
from cnncalc.vocabulary import CONV_MODES, FC_LAYOUTS


@dataclass(frozen=True, eq=False)
class Terms:
    """One entry as a sum: entry = Σ_k Π_f values[f][indices[f][k]] / divisor[k]  (+ b[bias]).

    target   the tensor the entry belongs to: 'y', 'dx', 'dw' or 'db'
    entry    the entry's index in that tensor, e.g. (n, o, i, j)
    factors  the tensors each product reads, e.g. ('x', 'w'), ('dy', 'w'), ('x', 'dy'), ('dy',)
    indices  one (k, ndim) int array per factor; row k of each names term k's factors
    divisor  (k,) int, or None when every divisor is 1 (averages and shared gradients)
    bias     the bias index (o,) when the entry includes b[o], else None

    Numerically: np.sum(x[tuple(xi.T)] * w[tuple(wi.T)]) with (xi, wi) = indices; evaluate()
    does exactly that and works as well on object arrays of Fractions for exact sums.
    """

    target: str
    entry: tuple[int, ...]
    factors: tuple[str, ...]
    indices: tuple[np.ndarray, ...]
    divisor: np.ndarray | None = None
    bias: tuple[int, ...] | None = None

    def __len__(self) -> int:
        return len(self.indices[0])

    def rows(self) -> list[tuple[tuple[int, ...], ...]]:
        """The terms as plain tuples, one per term: [(x index, w index), ...] for conv's y."""
        return list(zip(*(map(tuple, idx.tolist()) for idx in self.indices)))

    def index(self, factor: str) -> np.ndarray:
        """The (k, ndim) indices into tensor `factor` (one of self.factors)."""
        return self.indices[self.factors.index(factor)]

    def products(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """(k,) each term's value: its factors multiplied, over its divisor."""
        product = None
        for name, idx in zip(self.factors, self.indices):
            picked = np.asarray(values[name])[tuple(idx.T)]
            product = picked if product is None else product * picked
        if self.divisor is None:
            return product
        divisor = self.divisor.astype(object) if product.dtype == object else self.divisor
        return product / divisor

    def evaluate(self, values: Mapping[str, np.ndarray]):
        """The entry's value from the tensors named in `factors` (and 'b' when bias is set)."""
        total = self.products(values).sum()
        return total if self.bias is None else total + np.asarray(values["b"])[self.bias]


def index_rows(*columns) -> np.ndarray:
    """(k, len(columns)) int: the columns broadcast against each other and flattened row-major."""
    shape = np.broadcast_shapes(*(np.shape(c) for c in columns))
    rows = np.empty(shape + (len(columns),), dtype=np.intp)
    for k, column in enumerate(columns):
        rows[..., k] = column
    return rows.reshape(-1, len(columns))


def checked_entry(target: str, entry, shape: tuple[int, ...]) -> tuple[int, ...]:
    """`entry` as a tuple of ints, or IndexError if it is not an entry of a tensor of `shape`."""
    index = tuple(int(v) for v in entry)
    if len(index) != len(shape) or not all(0 <= v < s for v, s in zip(index, shape)):
        raise IndexError(f"{target}{list(index)} is not an entry of a tensor of shape {tuple(shape)}")
    return index


class EntryLookup:
    """Shared by the term maps: look entries up by tensor name, or walk them all lazily."""

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of each tensor whose entries the map explains, by name."""
        raise NotImplementedError

    def entry(self, target: str, index, **options) -> Terms:
        """The terms of entry `index` of `target` ('y', 'dx', 'dw', 'db', ...)."""
        if target not in self.shapes():
            raise KeyError(f"no term map for {target!r}; known: {', '.join(self.shapes())}")
        return getattr(self, target)(*index, **options)

    def entries(self, target: str, **options) -> Iterator[Terms]:
        """Every entry of `target` in row-major order, each built only when reached."""
        for index in np.ndindex(*self.shapes()[target]):
            yield self.entry(target, index, **options)


@dataclass(frozen=True)
class ConvTermMap(EntryLookup):
    """The term map of conv2d: x (N, C, H, W), w (O, C/groups, kH, kW), y (N, O, Ho, Wo).

    `mode` is part of the map: the map with the other mode is the mistaken convention
    (kernel rotated, or not) that a wrong answer may have used.
    """

    x_shape: tuple[int, int, int, int]
    w_shape: tuple[int, int, int, int]
    geom: WindowGeometry
    groups: int = 1
    mode: str = "correlation"
    has_bias: bool = True

    def __post_init__(self):
        object.__setattr__(self, "x_shape", tuple(int(v) for v in self.x_shape))
        object.__setattr__(self, "w_shape", tuple(int(v) for v in self.w_shape))
        (_, c, h, w), (o, cg, kh, kw) = self.x_shape, self.w_shape
        if self.mode not in CONV_MODES:
            raise ValueError(f"mode must be one of {CONV_MODES}, not {self.mode!r}")
        if c != cg * self.groups or o % self.groups or (h, w) != tuple(self.geom.in_hw) \
                or (kh, kw) != tuple(self.geom.kernel_hw):
            raise ValueError(f"x {self.x_shape}, w {self.w_shape}, groups {self.groups} and the "
                             f"geometry ({self.geom.in_hw} input, {self.geom.kernel_hw} kernel) disagree")

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of every tensor the map indexes: x, w, b, y and their gradients."""
        y = (self.x_shape[0], self.w_shape[0]) + tuple(self.geom.out_hw)
        shapes = {"y": y, "dx": self.x_shape, "dw": self.w_shape}
        return shapes | {"db": (self.w_shape[0],)} if self.has_bias else shapes

    def with_mode(self, mode: str) -> ConvTermMap:
        """The same map under the other convention ('correlation' or 'convolution')."""
        return replace(self, mode=mode)

    def _weight_cells(self, offsets: np.ndarray) -> np.ndarray:
        """(k, 2) the weight cells that slide to kernel offsets (a, e): rotated in convolution mode."""
        if self.mode == "correlation":
            return offsets
        return np.array(self.w_shape[2:]) - 1 - offsets

    def _group(self, o: int) -> int:
        return o // (self.w_shape[0] // self.groups)

    def y(self, n: int, o: int, i: int, j: int) -> Terms:
        """y[n,o,i,j] = b[o] + Σ x[xi]·w[wi]: pairs over channels c' < C/G and the window's real
        cells, channel-major then kernel row-major. indices = (xi (k, 4), wi (k, 4))."""
        n, o, i, j = checked_entry("y", (n, o, i, j), self.shapes()["y"])
        cells = window_cells(self.geom, i, j)
        rc, ae = cells.cells[cells.inside], self._weight_cells(cells.offsets[cells.inside])
        cg = self.w_shape[1]
        channel = np.arange(cg)[:, None]
        xi = index_rows(n, self._group(o) * cg + channel, rc[:, 0], rc[:, 1])
        wi = index_rows(o, channel, ae[:, 0], ae[:, 1])
        return Terms("y", (n, o, i, j), ("x", "w"), (xi, wi), bias=(o,) if self.has_bias else None)

    def dx(self, n: int, c: int, r: int, q: int) -> Terms:
        """dx[n,c,r,q] = Σ dy[yi]·w[wi] over the output channels of c's group and the windows
        covering (r, q), channel-major then window row-major. indices = (yi (k, 4), wi (k, 4))."""
        n, c, r, q = checked_entry("dx", (n, c, r, q), self.x_shape)
        cover = windows_covering(self.geom, r, q)
        ae = self._weight_cells(cover.offsets)
        cg, og = self.w_shape[1], self.w_shape[0] // self.groups
        outs = (c // cg) * og + np.arange(og)[:, None]
        yi = index_rows(n, outs, cover.windows[:, 0], cover.windows[:, 1])
        wi = index_rows(outs, c % cg, ae[:, 0], ae[:, 1])
        return Terms("dx", (n, c, r, q), ("dy", "w"), (yi, wi))

    def dw(self, o: int, c: int, a: int, e: int) -> Terms:
        """dw[o,c',a,e] = Σ x[xi]·dy[yi] over n and the windows whose cell at this weight's
        offset is real, ordered (n, i, j). indices = (xi (k, 4), yi (k, 4))."""
        o, c, a, e = checked_entry("dw", (o, c, a, e), self.w_shape)
        slide_a, slide_e = self._weight_cells(np.array([a, e]))  # rotation is its own inverse
        (i, r), (j, q) = offset_reads(self.geom, int(slide_a), int(slide_e))
        batch = np.arange(self.x_shape[0])[:, None, None]
        xi = index_rows(batch, self._group(o) * self.w_shape[1] + c, r[:, None], q[None, :])
        yi = index_rows(batch, o, i[:, None], j[None, :])
        return Terms("dw", (o, c, a, e), ("x", "dy"), (xi, yi))

    def db(self, o: int) -> Terms:
        """db[o] = Σ_{n,i,j} dy[n,o,i,j]: every dy entry of channel o. indices = (yi (N·Ho·Wo, 4),)."""
        if not self.has_bias:
            raise KeyError("this conv has no bias, so no db")
        (o,) = checked_entry("db", (o,), self.shapes()["db"])
        n, _, ho, wo = self.shapes()["y"]
        yi = index_rows(np.arange(n)[:, None, None], o, np.arange(ho)[:, None], np.arange(wo))
        return Terms("db", (o,), ("dy",), (yi,))


@dataclass(frozen=True)
class FcTermMap(EntryLookup):
    """The term map of a fully connected layer: x (N, in), y (N, out), w (out, in) in the
    'out-in' layout (PyTorch's) or (in, out) in 'in-out'; w indices follow the layout."""

    x_shape: tuple[int, int]
    w_shape: tuple[int, int]
    layout: str = "out-in"
    has_bias: bool = True

    def __post_init__(self):
        object.__setattr__(self, "x_shape", tuple(int(v) for v in self.x_shape))
        object.__setattr__(self, "w_shape", tuple(int(v) for v in self.w_shape))
        if self.layout not in FC_LAYOUTS:
            raise ValueError(f"layout must be one of {FC_LAYOUTS}, not {self.layout!r}")
        if self.x_shape[1] != self._out_in()[1]:
            raise ValueError(f"x {self.x_shape} and w {self.w_shape} ({self.layout}) disagree")

    def _out_in(self) -> tuple[int, int]:
        return self.w_shape if self.layout == "out-in" else self.w_shape[::-1]

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of every tensor the map indexes: y, dx, dw (w's layout) and db."""
        n, out = self.x_shape[0], self._out_in()[0]
        shapes = {"y": (n, out), "dx": self.x_shape, "dw": self.w_shape}
        return shapes | {"db": (out,)} if self.has_bias else shapes

    def _w(self, o, i) -> np.ndarray:
        """(k, 2) w indices of (output o, input i) pairs in this layout."""
        return index_rows(o, i) if self.layout == "out-in" else index_rows(i, o)

    def y(self, n: int, o: int) -> Terms:
        """y[n,o] = b[o] + Σ_i x[n,i]·w[o,i], i ascending. indices = (xi (in, 2), wi (in, 2))."""
        n, o = checked_entry("y", (n, o), self.shapes()["y"])
        inputs = np.arange(self.x_shape[1])
        return Terms("y", (n, o), ("x", "w"), (index_rows(n, inputs), self._w(o, inputs)),
                     bias=(o,) if self.has_bias else None)

    def dx(self, n: int, i: int) -> Terms:
        """dx[n,i] = Σ_o dy[n,o]·w[o,i], o ascending. indices = (yi (out, 2), wi (out, 2))."""
        n, i = checked_entry("dx", (n, i), self.x_shape)
        outs = np.arange(self._out_in()[0])
        return Terms("dx", (n, i), ("dy", "w"), (index_rows(n, outs), self._w(outs, i)))

    def dw(self, p: int, q: int) -> Terms:
        """dw[p,q] (w's layout) = Σ_n x[n,i]·dy[n,o], n ascending. indices = (xi (N, 2), yi (N, 2))."""
        p, q = checked_entry("dw", (p, q), self.shapes()["dw"])
        o, i = (p, q) if self.layout == "out-in" else (q, p)
        batch = np.arange(self.x_shape[0])
        return Terms("dw", (p, q), ("x", "dy"), (index_rows(batch, i), index_rows(batch, o)))

    def db(self, o: int) -> Terms:
        """db[o] = Σ_n dy[n,o]. indices = (yi (N, 2),)."""
        if not self.has_bias:
            raise KeyError("this layer has no bias, so no db")
        (o,) = checked_entry("db", (o,), self.shapes()["db"])
        return Terms("db", (o,), ("dy",), (index_rows(np.arange(self.x_shape[0]), o),))
