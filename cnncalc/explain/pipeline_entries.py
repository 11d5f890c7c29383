"""A pipeline's entries, derived by its layers' own explainers.

Each layer is run again as its single-layer command (conv, pool, fc, act, softmax, loss) on the
pipeline's own tensors: its input is the layer before's output, its upstream gradient the
pipeline's dL/d<layer>. The layer's steps are then renamed into the pipeline's names
(x → relu_1, w → fc_1.weight, dx → dL/drelu_1, ...), so one mechanism explains an entry
wherever it sits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from cnncalc.errors import CnnError
from cnncalc.explain.steps import Step, Target

COMMAND_OF = {"conv": "conv", "maxpool": "pool", "avgpool": "pool", "fc": "fc", "relu": "act",
              "leaky_relu": "act", "sigmoid": "act", "tanh": "act", "softmax": "softmax"}


@dataclass(frozen=True)
class Part:
    """One layer (or the loss) as a single-layer problem: its command, values and the renaming
    from the command's canonical names to the pipeline's."""

    command: str
    values: dict
    names: dict  # the command's name → the pipeline's


def _layer_part(result, k: int) -> Part | None:
    layer = result.parameters["layers"][k]
    name, kind = layer["name"], layer["type"]
    source = result.parameters["layers"][k - 1]["name"] if k else "input"
    if kind not in COMMAND_OF or (kind == "softmax" and _fused(result, k)):
        return None
    values = {"x": source, "dy": f"dL/d{name}"} | dict(layer["options"])
    names = {"x": source, "y": name, "dy": f"dL/d{name}", "dx": f"dL/d{source}"}
    if kind in ("conv", "fc"):
        values |= {"w": f"{name}.weight", "b": f"{name}.bias"}
        names |= {"w": f"{name}.weight", "b": f"{name}.bias", "dw": f"dL/d{name}.weight",
                  "db": f"dL/d{name}.bias"}
    if kind == "softmax":  # softmax before another loss: its forward only
        return Part("softmax", {"z": source}, {"z": source, "p": name})
    return Part(COMMAND_OF[kind], values, names)


def _fused(result, k: int) -> bool:
    return k == len(result.parameters["layers"]) - 1 and result.parameters["loss"]["type"] == "cross_entropy"


def _loss_part(result) -> Part:
    layers = result.parameters["layers"]
    loss = result.parameters["loss"]
    last = layers[-1]["name"] if layers else "input"
    if loss["type"] == "mse":
        return Part("loss", {"y": last, "target": "target", "reduction": loss["reduction"]},
                    {"y": last, "t": "target", "L": "L", "dy": f"dL/d{last}"})
    if layers and layers[-1]["type"] == "softmax":  # softmax and cross-entropy together: dL/dz = p − t
        source = layers[-2]["name"] if len(layers) > 1 else "input"
        return Part("softmax", {"z": source, "target": "target", "reduction": loss["reduction"]},
                    {"z": source, "p": last, "t": "target", "L": "L", "dp": f"dL/d{last}", "dz": f"dL/d{source}"})
    return Part("softmax", {"z": last, "target": "target", "reduction": loss["reduction"]},
                {"z": last, "t": "target", "L": "L", "dz": f"dL/d{last}"})


def parts(result) -> list[Part]:
    """Every layer that can be explained, then the loss."""
    found = [_layer_part(result, k) for k in range(len(result.parameters["layers"]))]
    return [part for part in found if part is not None] + [_loss_part(result)]


def solve_part(result, part: Part, max_elements: int = 10**9):
    """The part's single-layer Result, on the pipeline's tensors."""
    from cnncalc.inputs.problem import Problem
    from cnncalc.layers import COMMANDS

    values = {}
    for key, value in part.values.items():
        if isinstance(value, str) and key in part.names or key == "target":
            if value not in result.tensor_names:
                if key in ("b", "dy"):
                    continue  # a layer without bias; no gradients asked for
                raise CnnError("--entry", "the tensors of the layer (leave out --only)", f"'{value}' not kept")
            values[key] = np.asarray(result.tensor(value))
        else:
            values[key] = value
    solver = COMMANDS[part.command].solver()
    problem = Problem(values, max_elements=max_elements, index_base=result.naming.base)
    return solver.solve(solver.read(problem), max_elements)


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


def owner(result, wanted: str) -> tuple[Part, str] | None:
    """The part whose command derives the pipeline tensor `wanted`, and its name there."""
    for part in parts(result):
        for own, theirs in part.names.items():
            if theirs == wanted and own in DERIVED[part.command]:
                return part, own
    return None


# What each command derives (the rest are its inputs).
DERIVED = {"conv": ("y", "dx", "dw", "db"), "fc": ("y", "dx", "dw", "db"), "pool": ("y", "dx"),
           "act": ("y", "dx"), "softmax": ("p", "L", "dp", "dz"), "loss": ("L", "dy")}
