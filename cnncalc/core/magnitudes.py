"""How large the numbers were that made each tensor of a network pass: the scale its rounding
errors are relative to.

A float64 sum Σ a·b is off by at most a few ulps of Σ |a|·|b|, not of the sum itself: when
the terms cancel (the homework's dL/dflatten = Wᵀ·dL/dfc with every W equal and dL/dfc
summing to 0), the computed value is a residue like 6.9e-18 of an exact 0. Running the same
pass on magnitudes gives every tensor's Σ |a|·|b| entry by entry: linear layers (conv, fc,
avg-pool) with |weights| on |inputs|; activations, max-pool and flatten route magnitudes as
they route values (the same mask, the same maxima, the same slope); the losses' differences
(y − t, p − t) become sums (|y| + |t|, p + t). Each magnitude is at least the |value| it
belongs to, and an entry far below it (a few ulps) is residue, while a value that is small
because its terms are (a saturated sigmoid's 1e-22) keeps a magnitude as small as itself.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cnncalc.core.loss import mse
from cnncalc.core.network import Conv, Fc, NetworkPass, Softmax


def network_magnitudes(layers: list, x: np.ndarray, loss, target: np.ndarray, done: NetworkPass) -> NetworkPass:
    """The magnitudes of every tensor of `done` (the pass run_network returned for these arguments),
    in the same layout: outputs, output_grads, input_grad, param_grads."""
    inputs, outputs = [x] + done.outputs[:-1], done.outputs
    magnitude_in, forward = [np.abs(x)], []
    for layer, value in zip(layers, outputs):
        forward.append(value if isinstance(layer, Softmax) else _absolute(layer).forward(magnitude_in[-1]))
        magnitude_in.append(forward[-1])
    grad, fused = _loss_magnitude(loss, layers, outputs, target, done)
    output_grads, param_grads = [None] * len(layers), [{} for _ in layers]
    for k in reversed(range(len(layers))):
        output_grads[k] = grad
        if k == len(layers) - 1 and fused is not None:
            grad = fused
            continue
        grad, param_grads[k] = _backward(layers[k], grad, inputs[k], magnitude_in[k], outputs[k])
    return NetworkPass(forward, float(abs(done.loss)), output_grads, grad, param_grads)


def _absolute(layer):
    """The layer with its weights and bias as magnitudes (linear layers); others as they are."""
    if isinstance(layer, (Conv, Fc)):
        return replace(layer, weight=np.abs(layer.weight), bias=None if layer.bias is None else np.abs(layer.bias))
    return layer


def _backward(layer, grad: np.ndarray, x: np.ndarray, x_magnitude: np.ndarray, y: np.ndarray):
    if isinstance(layer, (Conv, Fc)):
        return _absolute(layer).backward(grad, x_magnitude, y)
    if isinstance(layer, Softmax):  # p ⊙ (g − Σ p·g): the difference becomes a sum
        return y * (grad + (y * grad).sum(axis=-1, keepdims=True)), {}
    dx, params = layer.backward(grad, x, y)  # masks, maxima and slopes route magnitudes as values
    return np.abs(dx), params


def _loss_magnitude(loss, layers: list, outputs: list, target: np.ndarray, done: NetworkPass):
    """dL/d(last output) as magnitudes, and for softmax + cross-entropy dL/dz = (p + t)·(its scale)."""
    if loss.kind == "mse":
        return mse(np.abs(outputs[-1]), -np.abs(target), loss.reduction).dy, None
    scale = 1.0 / target.shape[0] if loss.reduction == "mean" else 1.0
    if layers and isinstance(layers[-1], Softmax):
        return np.abs(done.output_grads[-1]), (outputs[-1] + np.abs(target)) * scale
    from cnncalc.core.softmax import softmax

    return (softmax(outputs[-1]) + np.abs(target)) * scale, None
