"""A network as a list of layers: every intermediate forward, every gradient backward.

Each layer wraps the core function of its kind (conv.py, pool.py, fc.py, ...): it
knows its output shape (checked before anything is computed), its forward, and
its backward, which returns dL/d(input) and dL/d(each parameter). Tensors are
batch-first: (N, C, H, W) maps, (N, features) vectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnncalc.core.activations import LEAKY_SLOPE, activation_backward, activation_forward
from cnncalc.core.conv import check_channels, conv2d_backward, conv2d_forward
from cnncalc.core.fc import fc_backward, fc_forward
from cnncalc.core.geometry import WindowGeometry, window_geometry
from cnncalc.core.loss import mse
from cnncalc.core.pool import (avgpool2d_backward, avgpool2d_forward, maxpool2d_backward, maxpool2d_forward,
                               pool_geometry)
from cnncalc.core.softmax import cross_entropy, softmax, softmax_backward
from cnncalc.errors import CnnError, shape_text

Shape = tuple[int, ...]


def _need_map(shape: Shape, what: str) -> None:
    if len(shape) != 4:
        raise CnnError("input", f"a feature map (N, C, H, W) for {what}", f"shape {shape_text(shape)}",
                       hint="a flatten or fc layer before it made it flat")


@dataclass
class Conv:
    weight: np.ndarray  # (O, C/groups, kH, kW)
    bias: np.ndarray | None  # (O,)
    stride: object = 1
    padding: object = 0
    dilation: object = 1
    groups: int = 1
    mode: str = "correlation"
    anchor: object = None

    def geometry(self, shape: Shape) -> WindowGeometry:
        return window_geometry(shape[2:], self.weight.shape[2:], self.stride, self.padding, self.dilation,
                               self.anchor, self.mode)

    def output_shape(self, shape: Shape) -> Shape:
        _need_map(shape, "a conv layer")
        check_channels(shape, self.weight.shape, self.groups, kernel_field="weight")
        geom = self.geometry(shape)
        geom.check_fits("weight")
        return (shape[0], self.weight.shape[0]) + geom.out_hw

    def forward(self, x: np.ndarray) -> np.ndarray:
        return conv2d_forward(x, self.weight, self.bias, self.geometry(x.shape), self.groups, self.mode)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray):
        grads = conv2d_backward(dy, x, self.weight, self.geometry(x.shape), self.groups, self.mode,
                                has_bias=self.bias is not None)
        return grads.dx, {"weight": grads.dw} | ({"bias": grads.db} if self.bias is not None else {})


@dataclass
class Pool:
    kind: str  # "max" or "avg"
    kernel_size: object
    stride: object = None
    padding: object = 0
    dilation: object = 1
    ceil_mode: bool = False
    count_include_pad: bool = True
    ties: str = "first"

    def geometry(self, shape: Shape) -> WindowGeometry:
        return pool_geometry(shape[2:], self.kernel_size, self.stride, self.padding, self.dilation,
                             self.ceil_mode, self.kind)

    def output_shape(self, shape: Shape) -> Shape:
        _need_map(shape, "a pooling layer")
        return shape[:2] + self.geometry(shape).out_hw

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.forward_saving(x)[0]

    def forward_saving(self, x: np.ndarray):
        """y, and for max-pool the forward result (where the maxima sit) for backward."""
        if self.kind == "max":
            result = maxpool2d_forward(x, self.geometry(x.shape))
            return result.y, result
        return avgpool2d_forward(x, self.geometry(x.shape), self.count_include_pad).y, None

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray, saved=None):
        geom = self.geometry(x.shape)
        if self.kind == "max":
            return maxpool2d_backward(dy, x, geom, self.ties, forward=saved).dx, {}
        return avgpool2d_backward(dy, geom, self.count_include_pad).dx, {}


@dataclass
class Flatten:
    """(N, C, H, W) to (N, C·H·W), in C order."""

    def output_shape(self, shape: Shape) -> Shape:
        return (shape[0], int(np.prod(shape[1:])))

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray):
        return dy.reshape(x.shape), {}


@dataclass
class Fc:
    weight: np.ndarray  # (out, in), or (in, out) for layout "in-out"
    bias: np.ndarray | None
    layout: str = "out-in"

    def output_shape(self, shape: Shape) -> Shape:
        inputs = int(np.prod(shape[1:]))
        in_axis, out_axis = (1, 0) if self.layout == "out-in" else (0, 1)
        if self.weight.shape[in_axis] != inputs:
            raise CnnError("weight", f"{inputs} inputs (an input of {shape_text(shape[1:])} per sample, "
                           f"{self.layout} layout)", f"a weight of shape {shape_text(self.weight.shape)}")
        return (shape[0], self.weight.shape[out_axis])

    def forward(self, x: np.ndarray) -> np.ndarray:
        return fc_forward(x.reshape(x.shape[0], -1), self.weight, self.bias, self.layout)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray):
        grads = fc_backward(dy, x.reshape(x.shape[0], -1), self.weight, self.layout, self.bias is not None)
        return grads.dx.reshape(x.shape), {"weight": grads.dw} | ({"bias": grads.db} if self.bias is not None
                                                                   else {})


@dataclass
class Activation:
    kind: str
    slope: float = LEAKY_SLOPE

    def output_shape(self, shape: Shape) -> Shape:
        return shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return activation_forward(self.kind, x, self.slope)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray):
        return activation_backward(self.kind, dy, x, y, self.slope), {}


@dataclass
class Softmax:
    """p = softmax(z) over the last axis of (N, K); backward is the Jacobian product."""

    def output_shape(self, shape: Shape) -> Shape:
        if len(shape) != 2:
            raise CnnError("input", "scores (N, K) for softmax", f"shape {shape_text(shape)}",
                           hint="add a flatten or fc layer before it")
        return shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return softmax(x)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray):
        return softmax_backward(dy, y), {}


@dataclass(frozen=True)
class Loss:
    kind: str  # "cross_entropy" or "mse"
    reduction: str


@dataclass
class NetworkPass:
    outputs: list[np.ndarray]  # the output of every layer, in order
    loss: float
    output_grads: list[np.ndarray]  # dL/d(output of every layer)
    input_grad: np.ndarray
    param_grads: list[dict[str, np.ndarray]] = field(default_factory=list)


def _loss_gradient(loss: Loss, layers: list, inputs: list, outputs: list, target: np.ndarray):
    """L, dL/d(last output), and for softmax followed by cross-entropy dL/d(logits) = p − t directly."""
    if loss.kind == "mse":
        result = mse(outputs[-1], target, loss.reduction)
        return result.loss, result.dy, None
    if layers and isinstance(layers[-1], Softmax):
        ce = cross_entropy(inputs[-1], target, loss.reduction)
        return ce.loss, ce.dp, ce.dz
    ce = cross_entropy(outputs[-1], target, loss.reduction)
    return ce.loss, ce.dz, None


def run_network(layers: list, x: np.ndarray, loss: Loss, target: np.ndarray) -> NetworkPass:
    """Forward through `layers`, the loss against `target`, then backward to every tensor."""
    inputs, outputs, saved = [], [], []
    for layer in layers:
        inputs.append(x)
        keeps = getattr(layer, "forward_saving", None)  # a layer whose backward reuses forward work
        x, kept = keeps(x) if keeps else (layer.forward(x), None)
        outputs.append(x)
        saved.append(kept)
    value, grad, fused_logit_grad = _loss_gradient(loss, layers, inputs, outputs, target)
    output_grads, param_grads = [None] * len(layers), [{} for _ in layers]
    for k in reversed(range(len(layers))):
        output_grads[k] = grad
        if k == len(layers) - 1 and fused_logit_grad is not None:
            grad = fused_logit_grad  # softmax + cross-entropy: dL/dz = p − t, stable where −t/p is not
            continue
        extra = {} if saved[k] is None else {"saved": saved[k]}
        grad, param_grads[k] = layers[k].backward(grad, inputs[k], outputs[k], **extra)
    return NetworkPass(outputs, value, output_grads, grad, param_grads)
