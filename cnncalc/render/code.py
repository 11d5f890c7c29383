"""`--show-code torch|numpy`: the program that computes the same thing, runnable as printed.

A solved problem is described once as a small program (its inputs inlined, its layers as
core layer objects with their resolved geometry, and how the backward pass starts: a
given dy, an MSE or a cross-entropy); code_torch.py and code_numpy.py write it out.
Each program prints every tensor as `name = [...]` with cnncalc's canonical names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np




@dataclass
class Param:
    var: str            # the variable in the program
    name: str           # cnncalc's canonical name (w, conv_1.weight)
    value: np.ndarray   # as the user shaped it
    layer_shape: tuple  # as the layer holds it (OIHW for a conv kernel, one bias per filter)


@dataclass
class Step:
    var: str
    name: str           # the canonical name of its output (y, conv_1, p)
    layer: object       # a cnncalc.core.network layer (read by its class name: render imports no core)
    in_shape: tuple     # batch-first
    out_shape: tuple
    params: dict = field(default_factory=dict)  # 'weight' / 'bias' → Param
    shown: tuple | None = None  # the shape cnncalc shows its output (and gradient) in, when not out_shape


@dataclass
class Program:
    command: str
    x: Param                    # the input, with its batch-first shape as layer_shape
    steps: list
    start: str                  # 'dy' (a given upstream), 'mse', 'cross_entropy', or '' (forward only)
    upstream: np.ndarray | None = None   # dy, or the loss's target t (batch-first)
    reduction: str | None = None
    gradient_names: dict = field(default_factory=dict)  # canonical name of each gradient shown
    out_shape: tuple = ()       # the last output as the user sees it


def literal(array) -> str:
    """An array as a Python literal that reads back to the same floats."""
    return repr(np.asarray(array, dtype=np.float64).tolist())


def identifier(name: str) -> str:
    return re.sub(r"\W", "_", name).strip("_") or "t"


def build_program(result, typed) -> Program:
    from cnncalc.solve.code_program import program

    return program(result, typed)


def show_code(result, typed, language: str) -> str:
    """The code of `language` computing `result`."""
    program = build_program(result, typed)
    if language == "torch":
        from cnncalc.render.code_torch import torch_code

        return torch_code(program)
    from cnncalc.render.code_numpy import numpy_code

    return numpy_code(program)


def unclashed(program: Program, reserved: set) -> Program:
    """`program` with each layer variable that would hide a name the printed code uses renamed."""
    renamed = {step.var: f"{step.var}_out" for step in program.steps if step.var in reserved}
    if not renamed:
        return program
    return replace(program, steps=[replace(step, var=renamed.get(step.var, step.var)) for step in program.steps],
                   gradient_names={renamed.get(var, var): name for var, name in program.gradient_names.items()})


def show_lines(program: Program, last: str, output, gradient) -> list[str]:
    """show() of every tensor of the answer: the layers' outputs (a pipeline's each, else the last),
    L, then the gradients; `output(var)` and `gradient(var)` spell a value in the printed language."""
    lines = []
    if program.command == "pipeline":
        lines += [f"show({step.name!r}, {output(step.var)})" for step in program.steps]
    elif program.steps:
        lines.append(f"show({program.steps[-1].name!r}, {output(last)})")
    if program.start in ("mse", "cross_entropy"):
        lines.append('show("L", L)')
    if program.start:
        lines += [f"show({name!r}, {gradient(var)})" for var, name in program.gradient_names.items()]
    return lines


def is_layer(layer, kind: str) -> bool:
    """Whether `layer` is the core layer class `kind` (by name: the output side imports no core)."""
    return type(layer).__name__ == kind
