"""Derivations as data, read off the core's term maps: `explain(result, request)`.

The CLI hands a solved Result and what was asked (--explain, --entry, --symbolic,
--max-steps); the renderers turn the Explanation's steps into text or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.explain.entries import collect, parse_entry
from cnncalc.explain.steps import Explanation
from cnncalc.vocabulary import DEFAULT_MAX_STEPS



@dataclass(frozen=True)
class Request:
    entries: tuple[str, ...] = ()   # as the user wrote them: dx[2,1], dL/dI[1,2]
    symbolic: bool = False
    max_steps: int = DEFAULT_MAX_STEPS  # 0: no limit

    @property
    def wanted(self) -> bool:
        return bool(self.entries) or self.symbolic


def explainer_for(result, symbolic: bool):
    """The explainer of `result`'s command."""
    from cnncalc.explain import elementwise, layers, maxpool, pipeline

    if result.command == "pool":
        kind = result.parameters["kind"]
        return (maxpool.MaxPoolExplainer if kind == "max" else layers.AvgPoolExplainer)(result, symbolic)
    table = {"conv": layers.ConvExplainer, "fc": layers.FcExplainer, "act": elementwise.ActExplainer,
             "softmax": elementwise.SoftmaxExplainer, "loss": elementwise.MseExplainer,
             "pipeline": pipeline.PipelineExplainer}
    return table[result.command](result, symbolic)


def explain(result, request: Request) -> Explanation:
    """The steps asked for: one entry's (--entry), or every entry in reading order, bounded by max_steps."""
    explainer = explainer_for(result, request.symbolic)
    shapes = {name: tuple(np.shape(result.tensor(name))) for name in result.tensor_names}
    if request.entries:
        steps = []
        for text in request.entries:
            name, index = parse_entry(text, result.naming, explainer.entry_shapes())
            steps += explainer.entry(name, index)
        limit = request.max_steps or len(steps)
        return Explanation(steps[:limit], max(len(steps) - limit, 0), request.symbolic, shapes)
    steps, omitted = collect(explainer.sections(), request.max_steps)
    return Explanation(steps, omitted, request.symbolic, shapes)
