"""Exact values of a pipeline: forward through its rational layers until one is not
(softmax, sigmoid, tanh), the MSE loss and every gradient when all of the forward pass is
exact. Cross-entropy needs ln, so with it only the forward steps before softmax are exact."""

from __future__ import annotations

from cnncalc.exact.commands import Exact, _layer_step
from cnncalc.exact.layers import NotRational, mse
from cnncalc.exact.values import exact_number, exact_tensor


def _like(result, name: str):
    try:
        return result.tensor(name)
    except KeyError:  # left out by --only
        return None


def _raw_options(problem, count: int) -> list[dict]:
    from cnncalc.solve.pipeline_spec import layer_entry

    raw = problem.values.get("layers") or []
    return [layer_entry(raw[k], f"layers[{k}]")[1] for k in range(count)]


def _parameters(step, options: dict, exact: Exact, result) -> dict:
    values = {}
    for key in step.param_shapes:
        values[key] = exact_tensor(getattr(step.layer, key), options.get(key))
        if values[key] is not None:
            exact.add(f"{step.name}.{key}", values[key], _like(result, f"{step.name}.{key}"))
            values[key] = values[key].reshape(getattr(step.layer, key).shape)
    if step.kind == "leaky_relu":
        values["slope"] = exact_number(step.layer.slope, options.get("slope"))
    return values


def _target_raw(problem):
    loss = problem.values.get("loss")
    inner = loss.get("target") if isinstance(loss, dict) else None
    return inner if inner is not None else problem.values.get("target")


def _say_missing(result, typed, x, params, target, exact: Exact) -> None:
    missing = ["input"] if x is None else []
    missing += [f"{step.name}.{key}" for step, values in zip(typed.layers, params) for key in step.param_shapes
                if values.get(key) is None]
    missing += ["target"] if target is None else []
    if missing:
        shown = ", ".join(result.naming.shown(name) for name in missing)
        exact.notes.append(f"exact: {shown} not rational as written (e.g. random decimals); what depends on "
                           "it is in decimals")


def pipeline_exact(result, typed, problem) -> Exact:
    exact = Exact()
    options = _raw_options(problem, len(typed.layers))
    params = [_parameters(step, opts, exact, result) for step, opts in zip(typed.layers, options)]
    x = exact_tensor(typed.input, problem.values.get("input"))
    exact.add("input", x, _like(result, "input"))
    x = None if x is None else x.reshape(typed.batched_input.shape)
    target = exact_tensor(typed.target, _target_raw(problem))
    exact.add("target", target, _like(result, "target"))
    _say_missing(result, typed, x, params, target, exact)
    inputs, x_float = [], typed.batched_input
    for step, values in zip(typed.layers, params):
        inputs.append((x, x_float))
        try:
            x = _layer_step(step.layer, x, x_float, values)
        except NotRational:
            exact.notes.append(f"exact: {step.name} ({step.kind}) is not rational, so it, every tensor after it, "
                               "the loss and every gradient are in decimals")
            x = None
        x_float = step.layer.forward(x_float)
        exact.add(step.name, x, _like(result, step.name))
    if x is None or target is None:
        return exact
    if typed.loss.kind != "mse":
        exact.notes.append("exact: the cross-entropy loss needs ln, so L and every gradient are in decimals")
        return exact
    loss, grad = mse(x, target, typed.loss.reduction)
    exact.add("L", loss, _like(result, "L"))
    _backward(result, typed, params, inputs, grad, exact)
    return exact


def _backward(result, typed, params, inputs, grad, exact: Exact) -> None:
    for step, values, (x, x_float) in reversed(list(zip(typed.layers, params, inputs))):
        exact.add(f"dL/d{step.name}", grad, _like(result, f"dL/d{step.name}"))
        grad, grads = _layer_step(step.layer, x, x_float, values, grad)
        for key, value in grads.items():
            exact.add(f"dL/d{step.name}.{key}", value, _like(result, f"dL/d{step.name}.{key}"))
    exact.add("dL/dinput", grad, _like(result, "dL/dinput"))
