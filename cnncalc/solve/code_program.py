"""Each command's solved problem as a render.code.Program (for --show-code): its inputs, its layers
as core layer objects with their geometry resolved, and how the backward pass starts."""

from __future__ import annotations

import numpy as np

from cnncalc.core import network
from cnncalc.render.code import Param, Program, Step, identifier


def _single(result, typed, layer, batch_shape: tuple, params: dict, start: str = "dy") -> Program:
    x = Param("x", "x", result.inputs["x"], batch_shape)
    y = result.forward["y"]
    out_shape = layer.output_shape(batch_shape) if not isinstance(layer, network.Activation) else batch_shape
    step = Step("y_batch", "y", layer, batch_shape, tuple(out_shape), params)
    has_dy = "dy" in result.inputs
    grads = {"x": "dx"} | {p.var: f"d{p.name}" for p in params.values()}
    return Program(result.command, x, [step], start if has_dy else "",
                   result.inputs["dy"] if has_dy else None, gradient_names=grads, out_shape=np.shape(y))


def _one_layer(result, typed) -> Program:
    from cnncalc.solve.one_layer import one_layer

    one = one_layer(result, typed)
    params = {key: Param(name, name, _as_given(getattr(typed, name), getattr(one.layer, key)),
                         getattr(one.layer, key).shape) for key, name in one.parameters.items()}
    return _single(result, typed, one.layer, one.batch_shape, params)


def _as_given(given, used):
    """The parameter as the user gave it, or as the layer uses it where they differ in size
    (a conv's bias given as one number for every filter)."""
    return given if given.size == used.size else used


def _softmax(result, typed):
    z = result.inputs["z"]
    shape = z.reshape(-1, z.shape[-1]).shape
    step = Step("p", "p", network.Softmax(), shape, shape, shown=z.shape)
    has_t = "t" in result.inputs
    return Program("softmax", Param("z", "z", z, shape), [step], "cross_entropy" if has_t else "",
                   result.inputs["t"].reshape(shape) if has_t else None, result.parameters["reduction"],
                   {"z": "dz", "p": "dp"}, z.shape)


def _loss(result, typed):
    y = result.inputs["y"]
    return Program("loss", Param("y", "y", y, y.shape), [], "mse", result.inputs["t"], result.parameters["reduction"],
                   {"y": "dy"}, y.shape)


def _pipeline(result, typed):
    from cnncalc.solve.layout import shown_shape

    steps, lead = [], typed.batched_input.ndim - typed.input.ndim
    for planned in typed.layers:
        params = {key: Param(identifier(f"{planned.name}_{key}"), f"{planned.name}.{key}",
                             getattr(planned.layer, key).reshape(shape), getattr(planned.layer, key).shape)
                  for key, shape in planned.param_shapes.items()}
        steps.append(Step(identifier(planned.name), planned.name, planned.layer, planned.in_shape,
                          planned.out_shape, params, shown_shape(planned.out_shape, lead)))
    x = Param("x_input", "input", typed.input, typed.batched_input.shape)
    grads = {"x_input": "dL/dinput"} | {s.var: f"dL/d{s.name}" for s in steps} | {
        p.var: f"dL/d{p.name}" for s in steps for p in s.params.values()}
    return Program("pipeline", x, steps, typed.loss.kind, typed.target, typed.loss.reduction, grads,
                   typed.target.shape)


def program(result, typed) -> Program:
    own = {"softmax": _softmax, "loss": _loss, "pipeline": _pipeline}
    return own.get(result.command, _one_layer)(result, typed)
