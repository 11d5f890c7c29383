"""Exact forward and backward passes of the rational layers, read off the core's term maps.

Every entry of a conv, fc or pooling output or gradient is a sum of products that the
term maps (core/terms.py, core/terms_pool.py) list; evaluating them on object arrays of
Fractions gives the exact value. relu and leaky_relu (with a rational slope) are exact
element by element; sigmoid, tanh and softmax are not rational (NotRational).
Tensors are batch-first as in core/network.py: maps (N, C, H, W), vectors (N, features).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from cnncalc.core import network
from cnncalc.core.terms import ConvTermMap, FcTermMap
from cnncalc.core.terms_pool import AvgPoolTermMap, MaxPoolTermMap
from cnncalc.exact.values import object_array


class NotRational(Exception):
    """A step whose result is not rational for rational inputs (e^x, log)."""


def entries(term_map, target: str, values: dict, **options) -> np.ndarray | None:
    """Every entry of `target` (object array of Fractions); None if one has no value."""
    shape = term_map.shapes()[target]
    out = []
    for index in np.ndindex(*shape):
        terms = term_map.entry(target, index, **options)
        if len(terms) == 0 and terms.bias is None and target == "y" and isinstance(term_map, MaxPoolTermMap):
            return None  # a max-pool window wholly in the padding has no finite value
        out.append(Fraction(terms.evaluate(values)))
    return object_array(out, shape)


def _conv_map(layer: network.Conv, x_shape: tuple) -> ConvTermMap:
    return ConvTermMap(x_shape, layer.weight.shape, layer.geometry(x_shape), layer.groups, layer.mode,
                       layer.bias is not None)


def forward(layer, x: np.ndarray, x_float: np.ndarray, params: dict) -> np.ndarray | None:
    """The layer's exact output for exact input `x` (x_float: the same in floats, for max-pool's
    choice of window maximum); `params` the exact weight and bias."""
    if isinstance(layer, network.Conv):
        return entries(_conv_map(layer, x.shape), "y", {"x": x, "w": params["weight"], "b": params.get("bias")})
    if isinstance(layer, network.Fc):
        x2 = x.reshape(x.shape[0], -1)
        term_map = FcTermMap(x2.shape, layer.weight.shape, layer.layout, layer.bias is not None)
        return entries(term_map, "y", {"x": x2, "w": params["weight"], "b": params.get("bias")})
    if isinstance(layer, network.Pool):
        return entries(_pool_map(layer, x_float), "y", {"x": x})
    if isinstance(layer, network.Flatten):
        return x.reshape(x.shape[0], -1)
    if isinstance(layer, network.Activation):
        slope = _slope(layer, params)
        return object_array([v if v > 0 else slope * v for v in x.flat], x.shape)
    raise NotRational("softmax")


def backward(layer, dy: np.ndarray, x: np.ndarray, x_float: np.ndarray, params: dict):
    """(exact dL/dx, {parameter: exact gradient}) for exact upstream `dy`."""
    if isinstance(layer, network.Conv):
        term_map = _conv_map(layer, x.shape)
        grads = {"weight": entries(term_map, "dw", {"x": x, "dy": dy})}
        if layer.bias is not None:
            grads["bias"] = entries(term_map, "db", {"dy": dy})
        return entries(term_map, "dx", {"dy": dy, "w": params["weight"]}), grads
    if isinstance(layer, network.Fc):
        x2 = x.reshape(x.shape[0], -1)
        term_map = FcTermMap(x2.shape, layer.weight.shape, layer.layout, layer.bias is not None)
        grads = {"weight": entries(term_map, "dw", {"x": x2, "dy": dy})}
        if layer.bias is not None:
            grads["bias"] = entries(term_map, "db", {"dy": dy})
        return entries(term_map, "dx", {"dy": dy, "w": params["weight"]}).reshape(x.shape), grads
    if isinstance(layer, network.Pool):
        options = {"ties": layer.ties} if layer.kind == "max" else {}
        return entries(_pool_map(layer, x_float), "dx", {"dy": dy}, **options), {}
    if isinstance(layer, network.Flatten):
        return dy.reshape(x.shape), {}
    if isinstance(layer, network.Activation):
        slope = _slope(layer, params)
        return object_array([d if v > 0 else slope * d for d, v in zip(dy.flat, x.flat)], x.shape), {}
    raise NotRational("softmax")


def _pool_map(layer: network.Pool, x_float: np.ndarray):
    geom = layer.geometry(x_float.shape)
    if layer.kind == "max":
        return MaxPoolTermMap(x_float, geom)
    return AvgPoolTermMap(x_float.shape, geom, layer.count_include_pad)


def _slope(layer: network.Activation, params: dict) -> Fraction:
    if layer.kind == "relu":
        return Fraction(0)
    if layer.kind == "leaky_relu" and params.get("slope") is not None:
        return params["slope"]
    raise NotRational(layer.kind)


def mse(y: np.ndarray, t: np.ndarray, reduction: str) -> tuple[Fraction, np.ndarray]:
    """Exact L and dL/dy of core.loss.mse (half_sum ½Σd², sum Σd², mean Σd²/n; d = y − t)."""
    diff = y - t
    squares = sum((d * d for d in diff.flat), Fraction(0))
    if reduction == "half_sum":
        return squares / 2, diff
    if reduction == "sum":
        return squares, diff * 2
    n = diff.size
    return squares / n, diff * Fraction(2, n)
