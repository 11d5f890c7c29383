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


def _conv(result, typed):
    from cnncalc.solve.conv import _bias
    from cnncalc.solve.layout import as_nchw, as_oihw

    w4 = as_oihw(typed.w)
    bias = _bias(typed.b, w4.shape[0]) if typed.b is not None else None
    layer = network.Conv(w4, bias, typed.stride, typed.padding, typed.dilation, typed.groups, typed.mode,
                         typed.anchor)
    params = {"weight": Param("w", "w", typed.w, w4.shape)}
    if bias is not None:
        params["bias"] = Param("b", "b", bias if typed.b.size != bias.size else typed.b, bias.shape)
    return _single(result, typed, layer, as_nchw(typed.x).shape, params)


def _pool(result, typed):
    from cnncalc.solve.layout import as_nchw

    layer = network.Pool(typed.kind, typed.kernel_size, typed.stride, typed.padding, typed.dilation,
                         typed.ceil_mode, typed.count_include_pad, typed.ties)
    return _single(result, typed, layer, as_nchw(typed.x).shape, {})


def _fc(result, typed):
    layer = network.Fc(typed.w, typed.b, typed.layout)
    params = {"weight": Param("w", "w", typed.w, typed.w.shape)}
    if typed.b is not None:
        params["bias"] = Param("b", "b", typed.b, typed.b.shape)
    return _single(result, typed, layer, (result.parameters["batch"], result.parameters["in"]), params)


def _act(result, typed):
    return _single(result, typed, network.Activation(typed.kind, typed.slope), typed.x.shape, {})


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
    return {"conv": _conv, "pool": _pool, "fc": _fc, "act": _act, "softmax": _softmax, "loss": _loss,
            "pipeline": _pipeline}[result.command](result, typed)
