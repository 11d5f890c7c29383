"""A pipeline's explanation: each layer in turn, forward then backward, naming which tensor
feeds which (the upstream gradient dL/d<output> goes in, dL/d<input> and the parameters'
gradients come out). One entry (--entry conv_1[1,2,2], dL/dfc_1.weight[3,4]) is derived by
its layer's own explainer, run on the pipeline's tensors (cnncalc.solve.pipeline_parts)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cnncalc.explain.linear import Section
from cnncalc.explain.steps import Factor, Step, Target, Term
from cnncalc.solve.pipeline_parts import owner, solve_part


def renamed(step: Step, names: dict) -> Step:
    """A layer command's step in the pipeline's names."""
    def name(text):
        return names.get(text, text) if isinstance(text, str) else text

    terms = tuple(term._replace(factors=tuple(f._replace(name=name(f.name)) for f in term.factors))
                  for term in step.terms)
    target = Target(name(step.target.name), step.target.index) if step.target else None
    grids = tuple(replace(grid, name=name(grid.name)) for grid in step.grids)
    detail = {key: name(value) for key, value in step.detail.items()}
    return replace(step, target=target, terms=terms, grids=grids, detail=detail)


def flatten_step(result, source: str, output: str, name: str, index) -> Step:
    """One entry that a flatten (or its backward, a reshape) only moves: it equals one entry of `source`."""
    shape_from, shape_to = np.shape(result.tensor(source)), np.shape(result.tensor(output))
    moved = np.unravel_index(np.ravel_multi_index(index, shape_to), shape_from)
    moved = tuple(int(i) for i in moved)
    value = float(np.asarray(result.tensor(source))[moved])
    phase = "backward" if name.startswith("dL/d") else "forward"
    return Step("sum", Target(name, tuple(index)), (Term((Factor(source, moved, value),)),), value, phase,
                detail={"rule": "flatten"})


def explainer_for(result, symbolic: bool):
    from cnncalc.explain import explainer_for as chosen

    return chosen(result, symbolic)


class PipelineExplainer:
    def __init__(self, result, symbolic: bool):
        self.r, self.symbolic = result, symbolic
        self.layers = result.parameters["layers"]

    def _inputs(self) -> list[str]:
        return ["input"] + [layer["name"] for layer in self.layers[:-1]]

    def forward(self, k: int) -> Step:
        layer, source = self.layers[k], self._inputs()[k]
        params = [name for name in self.r.tensor_names if name.startswith(layer["name"] + ".")]
        return Step("layer", Target(layer["name"], ()), detail={"type": layer["type"], "input": source,
                                                                "parameters": params,
                                                                "output_shape": self._shown(layer)})

    def _shown(self, layer: dict) -> list[int]:
        """The output's shape as the user sees it (the batch axis only where they wrote one)."""
        name = layer["name"]
        return list(np.shape(self.r.tensor(name))) if name in self.r.tensor_names else layer["output_shape"]

    def loss(self) -> Step:
        last = self.layers[-1]["name"] if self.layers else "input"
        value = float(np.asarray(self.r.forward["L"])) if "L" in self.r.forward else None
        return Step("layer", Target("L", ()), value=value,
                    detail={"type": self.r.parameters["loss"]["type"], "input": last, "target": "target",
                            "reduction": self.r.parameters["loss"]["reduction"]})

    def backward(self, k: int) -> Step:
        layer, source = self.layers[k], self._inputs()[k]
        gives = [f"dL/d{source}"] + [name for name in self.r.tensor_names
                                     if name.startswith(f"dL/d{layer['name']}.")]
        fused = k == len(self.layers) - 1 and any(rule.params.get("fused") for rule in self.r.conventions)
        return Step("layer", Target(layer["name"], ()), phase="backward",
                    detail={"type": layer["type"], "upstream": f"dL/d{layer['name']}", "gives": gives,
                            "fused": fused})

    def sections(self) -> list[Section]:
        count = len(self.layers)
        return [Section(count, lambda: (self.forward(k) for k in range(count))),
                Section(1, lambda: iter([self.loss()])),
                Section(count, lambda: (self.backward(k) for k in reversed(range(count))))]

    def entry_shapes(self) -> dict:
        """Every tensor a layer, the loss or a flatten derives, with the user's shape."""
        derived = [name for name in self.r.tensor_names if owner(self.r, name) or self._flattened(name)]
        return {name: tuple(np.shape(self.r.tensor(name))) for name in derived}

    def entry(self, name: str, index) -> list[Step]:
        flat = self._flattened(name)
        if flat:
            return [flatten_step(self.r, *flat, name, index)]
        part, own = owner(self.r, name)
        explainer = explainer_for(solve_part(self.r, part), self.symbolic)
        return [renamed(step, part.names) for step in explainer.entry(own, index)]

    def _flattened(self, name: str) -> tuple[str, str] | None:
        """(flatten's input, its output) when `name` is a flatten's output or the gradient of its input."""
        for k, layer in enumerate(self.layers):
            if layer["type"] != "flatten":
                continue
            source = self._inputs()[k]
            if name == layer["name"]:
                return source, layer["name"]
            if name == f"dL/d{source}":
                return f"dL/d{layer['name']}", name
        return None
