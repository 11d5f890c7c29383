"""Max-pool steps: each window's cells and maximum, where its gradient goes under the tie rule,
and each dx entry as the sum of the windows that route to it (overlapping windows add up)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from cnncalc.core.geometry import recorded_geometry
from cnncalc.core.terms_pool import MaxPoolTermMap
from cnncalc.errors import CnnError
from cnncalc.explain.layers import GRID_CHANNELS, tensor_refs
from cnncalc.explain.linear import LinearSteps, Section
from cnncalc.explain.marks import cells_of, padded_grid, plain_grid
from cnncalc.explain.size import size_section
from cnncalc.explain.steps import Step, Target, Term


class MaxPoolExplainer:
    def __init__(self, result, symbolic: bool):
        if symbolic:
            raise CnnError("--symbolic", "a layer whose formula does not depend on the numbers",
                           "max pooling (which cell is the maximum depends on x)",
                           hint="give x as numbers and use --explain")
        p = result.parameters
        x = np.asarray(result.tensor("x"), dtype=np.float64)
        x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)
        self.geom = recorded_geometry(p, x4.shape[2:], p["kernel_size"])
        self.ties = p["ties"]
        self.map = MaxPoolTermMap(x4, self.geom)
        shapes = self.map.shapes() | {"x": x4.shape, "dy": self.map.shapes()["y"]}
        self.refs = tensor_refs(result, shapes, False)
        self.linear = LinearSteps(self.map, self.refs, options={"ties": self.ties})

    def window(self, index) -> Step:
        """y = max over the window's real cells; `chosen`: the cells dy goes to under the tie rule."""
        window = self.map.window(*index)
        terms = tuple(Term((self.refs["x"].factor(cell),)) for cell in window.cells)
        routing = self.map.route(*index, self.ties)
        chosen = tuple(int(np.flatnonzero((window.cells == cell).all(axis=1))[0]) for cell in routing.cells)
        y = self.refs["y"]
        share = Fraction(1, int(routing.divisor[0])) if len(routing.divisor) else Fraction(1)
        return Step("max", Target("y", y.user_index(index)), terms, float(y.values[index]), chosen=chosen,
                    detail={"ties": self.ties, "share": share, "tied": int(window.tied.sum())})

    def sections(self) -> list[Section]:
        shape = self.map.shapes()["y"]
        sections = [size_section(self.geom),
                    Section(int(np.prod(shape)), lambda: (self.window(i) for i in np.ndindex(*shape)))]
        if "dx" in self.refs:
            sections.append(self.linear.section("dx"))
        return sections

    def entry_shapes(self) -> dict:
        return {name: self.refs[name].user_shape for name in ("y", "dx") if name in self.refs}

    def entry(self, name: str, user_index) -> list[Step]:
        index = self.refs[name].map_index(user_index)
        if name == "y":
            step = self.window(index)
            marked = {tuple(cell[2:]) for cell in self.map.window(*index).cells.tolist()}
            return [replace(step, grids=(padded_grid(self.refs["x"], tuple(index[:2]), self.geom, marked, "window"),))]
        step = self.linear.step(name, index)
        groups = cells_of(self.map.entry(name, index, ties=self.ties).index("dy"))
        grids = tuple(plain_grid(self.refs["dy"], lead, marked, "touched")
                      for lead, marked in list(groups.items())[:GRID_CHANNELS])
        return [replace(step, grids=grids)]
