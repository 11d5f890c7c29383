"""A pipeline's explanation: each layer in turn, forward then backward, naming which tensor
feeds which (the upstream gradient dL/d<output> goes in, dL/d<input> and the parameters'
gradients come out). Entry-level derivations are the single-layer commands' (run one layer
alone with `cnncalc conv`, `fc`, ... and --explain)."""

from __future__ import annotations

import numpy as np

from cnncalc.explain.linear import Section
from cnncalc.explain.steps import Step, Target


class PipelineExplainer:
    def __init__(self, result, symbolic: bool):
        self.r = result
        self.layers = result.parameters["layers"]

    def _inputs(self) -> list[str]:
        return ["input"] + [layer["name"] for layer in self.layers[:-1]]

    def forward(self, k: int) -> Step:
        layer, source = self.layers[k], self._inputs()[k]
        params = [name for name in self.r.tensor_names if name.startswith(layer["name"] + ".")]
        return Step("layer", Target(layer["name"], ()), detail={"type": layer["type"], "input": source,
                                                                "parameters": params,
                                                                "output_shape": layer["output_shape"]})

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
        return {}

    def entry(self, name: str, index) -> list[Step]:
        return []
