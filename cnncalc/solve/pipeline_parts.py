"""A pipeline's layers (and its loss) as single-layer problems, on the pipeline's own tensors.

A layer's input is the layer before's output, its upstream gradient the pipeline's
dL/d<layer>; each Part says which single-layer command it is and how that command's names
(x, w, y, dx, ...) map to the pipeline's (relu_1, fc_1.weight, fc_1, dL/drelu_1, ...).
Explanations (--entry in a pipeline) and the diagnosis of a wrong answer both derive a
pipeline entry by re-running its layer this way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.errors import CnnError
from cnncalc.layers import LAYER_TYPES

# The single-layer command of each pipeline layer type (flatten has none: nothing to explain).
COMMAND_OF = {kind: spec.name for kind, spec in LAYER_TYPES.items() if kind != "flatten"}


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
