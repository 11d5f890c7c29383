"""Exact values for a solved problem, command by command, as one network of core layers.

A single-layer command is the one-layer network its problem describes (conv, pool, fc,
act) with the upstream dy given; `loss` is MSE alone; pipeline is its layers. Each
returns {canonical name: object array of Fractions} for the tensors that have exact
values, and notes saying where and why decimals take over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnncalc.core import network
from cnncalc.exact import layers as exact_layers
from cnncalc.exact.values import exact_number, exact_tensor


@dataclass
class Exact:
    values: dict = field(default_factory=dict)  # canonical name → object array of Fractions
    notes: list = field(default_factory=list)

    def add(self, name: str, exact, like) -> None:
        """Record `exact` for tensor `name`, reshaped like the result's float tensor `like`."""
        if exact is not None and like is not None:
            self.values[name] = np.asarray(exact, dtype=object).reshape(np.shape(like))


def _inputs(result, raw: dict, exact: Exact) -> dict:
    """The exact value of each of the result's inputs (None when it has none)."""
    found = {}
    for name, array in result.inputs.items():
        found[name] = exact_tensor(array, raw.get(name))
        exact.add(name, found[name], array)
    missing = [name for name, value in found.items() if value is None]
    if missing:
        shown = ", ".join(result.naming.shown(name) for name in missing)
        exact.notes.append(f"exact: {shown} {'has' if len(missing) == 1 else 'have'} entries that are not "
                           "rational as written (e.g. random decimals); what depends on "
                           f"{'it' if len(missing) == 1 else 'them'} is in decimals")
    return found


def _layer_step(layer, x, x_float, params, dy=None):
    """forward (dy None) or backward of one layer, exactly, when every input is exact."""
    if x is None or any(v is None for v in params.values()):
        return None
    if dy is None:
        return exact_layers.forward(layer, x, x_float, params)
    return exact_layers.backward(layer, dy, x, x_float, params)


def single_layer(result, layer, raw: dict, x_name: str, params: dict[str, str], batch_shape: tuple,
                 slope_raw=None) -> Exact:
    """conv, pool, fc or act: y from x, and dx with parameter gradients from dy when given.
    `params` maps the layer's parameters (weight, bias) to the result's names (w, b);
    `batch_shape` is x as the layer computes it (NCHW, or (N, in) for fc)."""
    exact = Exact()
    found = _inputs(result, raw, exact)
    x_float = np.asarray(result.inputs[x_name], dtype=np.float64).reshape(batch_shape)
    x = None if found[x_name] is None else found[x_name].reshape(batch_shape)
    values = {key: _shaped(found.get(name), getattr(layer, key)) for key, name in params.items()
              if getattr(layer, key) is not None}
    if isinstance(layer, network.Activation):
        values["slope"] = exact_number(layer.slope, slope_raw) if layer.kind == "leaky_relu" else None
        if layer.kind not in ("relu", "leaky_relu"):
            exact.notes.append(f"exact: {layer.kind} is not rational (it needs e^x), so y and dx are in decimals")
            return exact
    y = _layer_step(layer, x, x_float, values)
    exact.add("y", y, result.forward.get("y"))
    dy = found.get("dy")
    if y is not None and dy is not None and "dx" in result.backward:
        y_batch = np.asarray(y).shape
        dx, grads = _layer_step(layer, x, x_float, values, dy.reshape(y_batch))
        exact.add("dx", dx, result.backward["dx"])
        for key, name in params.items():
            exact.add(f"d{name}", grads.get(key), result.backward.get(f"d{name}"))
    return exact


def _shaped(exact, like):
    """An exact parameter laid out as the layer holds it (a conv kernel as OIHW, a bias per filter)."""
    if exact is None or like is None:
        return None
    if exact.size == 1 and np.size(like) > 1:
        return np.full(np.shape(like), exact.flat[0], dtype=object)
    return exact.reshape(np.shape(like))


def mse_only(result, raw: dict) -> Exact:
    exact = Exact()
    found = _inputs(result, raw, exact)
    if found["y"] is not None and found["t"] is not None:
        loss, dy = exact_layers.mse(found["y"], found["t"], result.parameters["reduction"])
        exact.add("L", loss, result.forward["L"])
        exact.add("dy", dy, result.backward["dy"])
    return exact


def softmax_only(result, raw: dict) -> Exact:
    exact = Exact()
    _inputs(result, raw, exact)
    exact.notes.append("exact: softmax is not rational (it needs e^z), so p, L and the gradients are in decimals")
    return exact
