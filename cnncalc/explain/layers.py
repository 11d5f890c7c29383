"""Explainers of the single-layer commands conv, fc and pool: sections of steps, one entry's steps.

Each is built from a Result alone (its parameters say the geometry), so the CLI only hands
the result over. An explainer offers `sections()` (everything, in reading order) and
`entry(name, map_index)` (one entry's steps, with its grids).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cnncalc.core.geometry import WindowGeometry, recorded_geometry, window_cells
from cnncalc.core.terms import ConvTermMap, FcTermMap
from cnncalc.core.terms_pool import AvgPoolTermMap
from cnncalc.explain import conv_views
from cnncalc.explain.linear import LinearSteps, Section
from cnncalc.explain.marks import cells_of, padded_grid, plain_grid
from cnncalc.explain.size import size_section
from cnncalc.explain.tensors import ref

GRID_CHANNELS = 4  # --entry draws at most this many slices per tensor


def tensor_refs(result, shapes: dict, symbolic: bool) -> dict:
    """A TensorRef for every tensor of `shapes` (name → map shape) that the result holds."""
    refs = {}
    for name, shape in shapes.items():
        try:
            array = result.tensor(name)
        except KeyError:
            continue
        refs[name] = ref(name, array, shape, symbolic)
    return refs


class LinearExplainer:
    """Shared by conv, fc and avg-pool: the term map's sections, and one entry with its grids."""

    def __init__(self, term_map, refs, geom: WindowGeometry | None = None):
        self.steps = LinearSteps(term_map, refs)
        self.refs, self.geom = refs, geom

    def entry_shapes(self) -> dict:
        """The user's shape of every tensor whose entries this explainer can derive."""
        return {name: self.refs[name].user_shape for name in self.steps.targets()}

    def sections(self) -> list[Section]:
        sections = [size_section(self.geom)] if self.geom is not None else []
        return sections + [self.steps.section(target) for target in self.steps.targets()]

    def entry(self, name: str, user_index) -> list:
        index = self.refs[name].map_index(user_index)
        step = self.steps.step(name, index)
        return [replace(step, grids=self.grids(name, index))]

    def window_channels(self, out_channel: int) -> range:
        """The x channels that y's channel `out_channel` reads (pooling: its own)."""
        return range(out_channel, out_channel + 1)

    def grids(self, name: str, index) -> tuple:
        if self.geom is None:
            return ()
        terms = self.steps.term_map.entry(name, index)
        source = {"y": "x", "dx": "dy", "dw": "x"}.get(name)
        if source is None or source not in self.refs:
            return ()
        groups = cells_of(terms.index(source))
        if name == "y":  # the whole window, its padded cells too, in every x channel it reads
            window = window_cells(self.geom, index[2], index[3]).cells.tolist()
            groups = {(index[0], c): {tuple(cell) for cell in window} for c in self.window_channels(index[1])}
        draw = padded_grid if source == "x" else (lambda r, lead, g, marked, role: plain_grid(r, lead, marked, role))
        return tuple(draw(self.refs[source], lead, self.geom, marked, "window" if source == "x" else "touched")
                     for lead, marked in list(groups.items())[:GRID_CHANNELS])


class ConvExplainer(LinearExplainer):
    def __init__(self, result, symbolic: bool):
        p = result.parameters
        x4, w4 = tuple(p["input_nchw"]), tuple(p["weight_oihw"])
        geom = recorded_geometry(p, x4[2:], w4[2:])
        self.mode, self.groups = p["mode"], p["groups"]
        term_map = ConvTermMap(x4, w4, geom, self.groups, self.mode, p["bias"])
        shapes = term_map.shapes() | {"x": x4, "w": w4, "dy": term_map.shapes()["y"]}
        shapes |= {"b": (w4[0],)} if p["bias"] else {}
        super().__init__(term_map, tensor_refs(result, shapes, symbolic), geom)
        self.symbolic, self.weight_oihw = symbolic, w4

    def window_channels(self, out_channel: int) -> range:
        """Filter o reads the Cin/G channels of its group g = o // (Cout/G)."""
        filters, per_group = self.weight_oihw[0], self.weight_oihw[1]
        group = out_channel // (filters // self.groups)
        return range(group * per_group, (group + 1) * per_group)

    def sections(self) -> list[Section]:
        sections = super().sections()
        if self.symbolic:
            general = conv_views.general_identity(self.geom, self.mode, self.groups, "b" in self.refs)
            return sections + [Section(1, lambda: iter([general]))]
        if "dx" not in self.refs:
            return sections
        n, o, cg = self.refs["x"].map_shape[0], self.refs["w"].map_shape[0], self.refs["w"].map_shape[1]
        count = n * o * cg
        triples = lambda: ((i, j, k) for i in range(n) for j in range(o) for k in range(cg))  # noqa: E731
        args = (self.refs, self.geom, self.mode, self.groups)
        dx_views = Section(count, lambda: (conv_views.dx_identity(*args, *t) for t in triples()))
        dw_views = Section(count, lambda: (conv_views.dw_identity(*args, *t) for t in triples()))
        names = [name for name in self.steps.targets()]
        at = {name: 1 + k for k, name in enumerate(names)}  # after the size section
        sections.insert(at["dw"] + 1, dw_views)
        sections.insert(at["dx"], dx_views)
        return sections


class FcExplainer(LinearExplainer):
    def __init__(self, result, symbolic: bool):
        p = result.parameters
        layout, n, inputs, outputs = p["weight_layout"], p["batch"], p["in"], p["out"]
        w_shape = (outputs, inputs) if layout == "out-in" else (inputs, outputs)
        term_map = FcTermMap((n, inputs), w_shape, layout, p["bias"])
        shapes = term_map.shapes() | {"x": (n, inputs), "w": w_shape, "dy": (n, outputs)}
        shapes |= {"b": (outputs,)} if p["bias"] else {}
        super().__init__(term_map, tensor_refs(result, shapes, symbolic))


class AvgPoolExplainer(LinearExplainer):
    def __init__(self, result, symbolic: bool):
        p = result.parameters
        x = result.tensor("x")
        x4 = (1,) * (4 - np.ndim(x)) + tuple(np.shape(x))
        geom = recorded_geometry(p, x4[2:], p["kernel_size"])
        term_map = AvgPoolTermMap(x4, geom, bool(p["count_include_pad"]))
        shapes = term_map.shapes() | {"x": x4, "dy": term_map.shapes()["y"]}
        super().__init__(term_map, tensor_refs(result, shapes, symbolic), geom)
