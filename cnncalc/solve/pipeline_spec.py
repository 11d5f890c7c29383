"""The `layers` list of a pipeline file, read into core layers with their names.

Each entry is a word (`relu`), a mapping with `type:` (`{type: conv, weight: ...}`),
or a one-key mapping (`{conv: {weight: ...}}`). Shapes flow from layer to layer and
are checked here, before anything is computed; parameters given as a number or a
fill take their shape from the layer before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from cnncalc.core import network
from cnncalc.core.activations import LEAKY_SLOPE
from cnncalc.errors import CnnError, did_you_mean
from cnncalc.inputs import fields
from cnncalc.inputs.tensors import Fill, RandomFill, materialize, read_tensor
from cnncalc.inputs.yamlfile import Document
from cnncalc.solve.layout import as_oihw

LAYER_TYPES = ("conv", "relu", "leaky_relu", "sigmoid", "tanh", "maxpool", "avgpool", "flatten", "fc", "softmax")
TYPE_ALIASES = {"conv2d": "conv", "max_pool": "maxpool", "avg_pool": "avgpool", "linear": "fc", "dense": "fc",
                "leakyrelu": "leaky_relu"}
OPTIONS = {
    "conv": ("weight", "bias", "stride", "padding", "dilation", "groups", "mode", "anchor", "out_channels",
             "kernel_size"),
    "maxpool": ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "ties"),
    "avgpool": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
    "fc": ("weight", "bias", "out", "weight_layout"),
    "leaky_relu": ("slope",),
}
COUNTER = {"maxpool": "pool", "avgpool": "pool"}


@dataclass
class PlannedLayer:
    """A core layer with its name, where it was written, and the shapes around it."""

    layer: object
    kind: str
    name: str
    path: str
    in_shape: tuple
    out_shape: tuple
    param_shapes: dict  # parameter name → the shape the user wrote (for display)


@dataclass
class LayerContext:
    document: Document | None
    path: str
    label: str
    options: dict
    max_elements: int

    def fail(self, error: CnnError) -> CnnError:
        """The error placed at this layer: 'layers[3] (fc_1).weight', with the file's line."""
        line = self.document.line_of(f"{self.path}.{error.field}") if self.document else None
        named = replace(error, field=f"{self.label}.{error.field}" if error.field else self.label)
        return named.located(self.document.name if self.document else None, line)

    def read(self, key: str, reader, default=None):
        if self.options.get(key) is None:
            return default
        try:
            return reader(self.options[key], key)
        except CnnError as error:
            raise self.fail(error) from None


def layer_entry(raw, path: str) -> tuple[str, dict, str]:
    """(type, options, path of the options) of one `layers` entry."""
    if isinstance(raw, str):
        return _layer_type(raw, path), {}, path
    if isinstance(raw, dict) and "type" in raw:
        options = {k: v for k, v in raw.items() if k != "type"}
        return _layer_type(str(raw["type"]), f"{path}.type"), options, path
    if isinstance(raw, dict) and len(raw) == 1:
        (kind, options), = raw.items()
        if options is not None and not isinstance(options, dict):
            raise CnnError(f"{path}.{kind}", "a mapping of the layer's options", repr(options))
        return _layer_type(kind, path), options or {}, f"{path}.{kind}"
    raise CnnError(path, "a layer: a word like relu, {type: conv, ...} or {conv: {...}}", repr(raw)[:60])


def _layer_type(word: str, path: str) -> str:
    kind = word.strip().lower().replace("-", "_")
    kind = TYPE_ALIASES.get(kind, kind)
    if kind not in LAYER_TYPES:
        raise CnnError(path, f"a layer type ({', '.join(LAYER_TYPES)})", repr(word),
                       hint=did_you_mean(kind, LAYER_TYPES + tuple(TYPE_ALIASES)))
    return kind


def check_options(kind: str, options: dict, ctx: LayerContext) -> None:
    allowed = OPTIONS.get(kind, ()) + ("name",)
    for key in options:
        if key not in allowed:
            raise ctx.fail(CnnError(key, f"an option of {kind} ({', '.join(allowed)})", f"'{key}'",
                                    hint=did_you_mean(key, allowed)))


def _parameter(ctx: LayerContext, key: str, shape: tuple | None, needs: str) -> np.ndarray | None:
    """A weight or bias: values, or a number / fill / random values shaped by the layer."""
    raw = ctx.options.get(key)
    if raw is None:
        return None
    spec = ctx.read(key, lambda value, field: read_tensor(value, field, ctx.max_elements))
    if isinstance(spec, np.ndarray) and spec.ndim == 0:
        spec = Fill(float(spec), None)
    if isinstance(spec, (Fill, RandomFill)) and spec.shape is None and shape is None:
        raise ctx.fail(CnnError(key, f"a shape for the fill: give {needs}", "no shape"))
    try:
        return materialize(spec, key, shape if isinstance(spec, (Fill, RandomFill)) else None, ctx.max_elements)
    except CnnError as error:
        raise ctx.fail(error) from None


def _kernel_shape(ctx: LayerContext, channels: int, groups: int) -> tuple | None:
    out = ctx.read("out_channels", fields.read_int(1))
    kernel = ctx.read("kernel_size", fields.read_int_or_pair(1))
    if out is None or kernel is None:
        return None
    k = kernel if isinstance(kernel, list) else [kernel, kernel]
    return (out, channels // groups, k[0], k[1])


def build_conv(ctx: LayerContext, in_shape: tuple):
    groups = ctx.read("groups", fields.read_int(1), 1)
    channels = in_shape[1] if len(in_shape) == 4 else 1
    weight = _parameter(ctx, "weight", _kernel_shape(ctx, channels, groups), "out_channels and kernel_size")
    if weight is None:
        raise ctx.fail(CnnError("weight", "a kernel (values, a number with out_channels and kernel_size, "
                                          "or a fill)", "nothing"))
    try:
        w4 = as_oihw(weight, "weight")
    except CnnError as error:
        raise ctx.fail(error) from None
    bias = _parameter(ctx, "bias", (w4.shape[0],), "one bias per filter")
    if bias is not None and bias.shape != (w4.shape[0],):
        raise ctx.fail(CnnError("bias", f"one bias per filter ({w4.shape[0]})", f"shape {bias.shape}"))
    layer = network.Conv(
        w4, bias, stride=ctx.read("stride", fields.read_int_or_pair(1), 1),
        padding=ctx.read("padding", fields.read_padding, 0),
        dilation=ctx.read("dilation", fields.read_int_or_pair(1), 1), groups=groups,
        mode=ctx.read("mode", fields.read_mode, "correlation"),
        anchor=ctx.read("anchor", fields.read_int_or_pair(0)))
    return layer, {"weight": weight.shape} | ({"bias": bias.shape} if bias is not None else {})


def build_pool(ctx: LayerContext, kind: str):
    kernel = ctx.read("kernel_size", fields.read_int_or_pair(1))
    if kernel is None:
        raise ctx.fail(CnnError("kernel_size", "a window size like 2 or [2, 3]", "nothing"))
    layer = network.Pool(
        "max" if kind == "maxpool" else "avg", kernel, stride=ctx.read("stride", fields.read_int_or_pair(1)),
        padding=ctx.read("padding", fields.read_int_or_pair(0), 0),
        dilation=ctx.read("dilation", fields.read_int_or_pair(1), 1),
        ceil_mode=ctx.read("ceil_mode", fields.read_bool, False),
        count_include_pad=ctx.read("count_include_pad", fields.read_bool, True),
        ties=ctx.read("ties", fields.read_ties, "first"))
    return layer, {}


def build_fc(ctx: LayerContext, in_shape: tuple):
    layout = ctx.read("weight_layout", fields.read_weight_layout, "out-in")
    out = ctx.read("out", fields.read_int(1))
    inputs = int(np.prod(in_shape[1:]))
    shape = None if out is None else ((out, inputs) if layout == "out-in" else (inputs, out))
    weight = _parameter(ctx, "weight", shape, "out (the number of outputs)")
    if weight is None:
        raise ctx.fail(CnnError("weight", "a weight matrix, or a number with out", "nothing"))
    if weight.ndim != 2:
        raise ctx.fail(CnnError("weight", f"a matrix ({layout})", f"{weight.ndim}-D"))
    outputs = weight.shape[0 if layout == "out-in" else 1]
    bias = _parameter(ctx, "bias", (outputs,), "one bias per output")
    if bias is not None and bias.shape != (outputs,):
        raise ctx.fail(CnnError("bias", f"one bias per output ({outputs})", f"shape {bias.shape}"))
    return network.Fc(weight, bias, layout), {"weight": weight.shape} | (
        {"bias": bias.shape} if bias is not None else {})


def build_layer(kind: str, ctx: LayerContext, in_shape: tuple):
    """The core layer for one entry, its parameters' user shapes, and its output shape."""
    check_options(kind, ctx.options, ctx)
    if kind == "conv":
        layer, shapes = build_conv(ctx, in_shape)
    elif kind in ("maxpool", "avgpool"):
        layer, shapes = build_pool(ctx, kind)
    elif kind == "fc":
        layer, shapes = build_fc(ctx, in_shape)
    elif kind == "flatten":
        layer, shapes = network.Flatten(), {}
    elif kind == "softmax":
        layer, shapes = network.Softmax(), {}
    else:
        layer, shapes = network.Activation(kind, ctx.read("slope", fields.read_number, LEAKY_SLOPE)), {}
    try:
        out_shape = layer.output_shape(in_shape)
    except CnnError as error:
        raise ctx.fail(error) from None
    return layer, shapes, out_shape
