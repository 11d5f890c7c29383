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
from cnncalc.errors import CnnError, did_you_mean
from cnncalc.inputs.problem import entry_in_base
from cnncalc.inputs.tensors import Fill, RandomFill, default_seed_note, materialize, read_tensor, scalar_fill
from cnncalc.inputs.yamlfile import Document
from cnncalc.layers import LAYER_TYPE_ALIASES, LAYER_TYPES
from cnncalc.solve.layout import as_oihw

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
    kind: str = ""
    index_base: int = 1
    notes: list | None = None  # the problem's notes, for a parameter drawn with the default seed

    def fail(self, error: CnnError) -> CnnError:
        """The error placed at this layer: 'layers[3] (fc_1).weight', with the file's line."""
        line = self.document.line_of(f"{self.path}.{error.field}") if self.document else None
        field = entry_in_base(error.field, self.index_base)
        named = replace(error, field=f"{self.label}.{field}" if field else self.label)
        return named.located(self.document.name if self.document else None, line)

    def value(self, key: str):
        """The typed value of this layer's option `key` (its pipeline field), as its layer declares it."""
        option = next(o for o in LAYER_TYPES[self.kind].layer_options(self.kind) if o.pipeline == key)
        if self.options.get(key) is None:
            return option.default
        try:
            return option.read(self.options[key], key)
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
    kind = LAYER_TYPE_ALIASES.get(kind, kind)
    if kind not in LAYER_TYPES:
        raise CnnError(path, f"a layer type ({', '.join(LAYER_TYPES)})", repr(word),
                       hint=did_you_mean(kind, tuple(LAYER_TYPES) + tuple(LAYER_TYPE_ALIASES)))
    return kind


def check_options(kind: str, options: dict, ctx: LayerContext) -> None:
    allowed = tuple(option.pipeline for option in LAYER_TYPES[kind].layer_options(kind)) + ("name",)
    for key in options:
        if key not in allowed:
            raise ctx.fail(CnnError(key, f"an option of {kind} ({', '.join(allowed)})", f"'{key}'",
                                    hint=did_you_mean(key, allowed)))


def _parameter(ctx: LayerContext, key: str, shape: tuple | None, needs: str) -> np.ndarray | None:
    """A weight or bias: values, or a number / fill / random values shaped by the layer."""
    raw = ctx.options.get(key)
    if raw is None:
        return None
    try:
        spec = read_tensor(raw, key, ctx.max_elements)
        note = default_seed_note(spec, f"{ctx.label}.{key}")
        if note and ctx.notes is not None:
            ctx.notes.append(note)
    except CnnError as error:
        raise ctx.fail(error) from None
    if isinstance(spec, np.ndarray) and spec.ndim == 0:
        spec = scalar_fill(spec)  # a number is a fill of the layer's shape, keeping its text
    if isinstance(spec, (Fill, RandomFill)) and spec.shape is None and shape is None:
        raise ctx.fail(CnnError(key, f"a shape for the fill: give {needs}", "no shape"))
    try:
        return materialize(spec, key, shape if isinstance(spec, (Fill, RandomFill)) else None, ctx.max_elements)
    except CnnError as error:
        raise ctx.fail(error) from None


def _kernel_shape(ctx: LayerContext, channels: int, groups: int) -> tuple | None:
    out, kernel = ctx.value("out_channels"), ctx.value("kernel_size")
    if out is None or kernel is None:
        return None
    k = kernel if isinstance(kernel, list) else [kernel, kernel]
    return (out, channels // groups, k[0], k[1])


def _check_agrees(ctx: LayerContext, key: str, given, actual, what: str) -> None:
    """An option that restates the weight's shape must say what the weight says."""
    if given is not None and given != actual:
        raise ctx.fail(CnnError(key, f"{actual}, {what}", str(given)))


def build_conv(ctx: LayerContext, in_shape: tuple):
    groups = ctx.value("groups")
    channels = in_shape[1] if len(in_shape) == 4 else 1
    weight = _parameter(ctx, "weight", _kernel_shape(ctx, channels, groups), "out_channels and kernel_size")
    if weight is None:
        raise ctx.fail(CnnError("weight", "a kernel (values, a number with out_channels and kernel_size, "
                                          "or a fill)", "nothing"))
    try:
        w4 = as_oihw(weight, "weight")
    except CnnError as error:
        raise ctx.fail(error) from None
    kernel = ctx.value("kernel_size")
    _check_agrees(ctx, "out_channels", ctx.value("out_channels"), w4.shape[0], "the filters of the weight")
    _check_agrees(ctx, "kernel_size", None if kernel is None else list(kernel if isinstance(kernel, list)
                                                                       else [kernel, kernel]),
                  list(w4.shape[2:]), "the kernel size of the weight")
    bias = _parameter(ctx, "bias", (w4.shape[0],), "one bias per filter")
    if bias is not None and bias.shape != (w4.shape[0],):
        raise ctx.fail(CnnError("bias", f"one bias per filter ({w4.shape[0]})", f"shape {bias.shape}"))
    layer = network.Conv(w4, bias, stride=ctx.value("stride"), padding=ctx.value("padding"),
                         dilation=ctx.value("dilation"), groups=groups, mode=ctx.value("mode"),
                         anchor=ctx.value("anchor"))
    return layer, {"weight": weight.shape} | ({"bias": bias.shape} if bias is not None else {})


def build_pool(ctx: LayerContext, kind: str):
    kernel = ctx.value("kernel_size")
    if kernel is None:
        raise ctx.fail(CnnError("kernel_size", "a window size like 2 or [2, 3]", "nothing"))
    maxpool = kind == "maxpool"
    layer = network.Pool(
        "max" if maxpool else "avg", kernel, stride=ctx.value("stride"), padding=ctx.value("padding"),
        dilation=ctx.value("dilation") if maxpool else 1, ceil_mode=ctx.value("ceil_mode"),
        count_include_pad=True if maxpool else ctx.value("count_include_pad"),
        ties=ctx.value("ties") if maxpool else "first")
    return layer, {}


def build_fc(ctx: LayerContext, in_shape: tuple):
    layout, out = ctx.value("weight_layout"), ctx.value("out")
    inputs = int(np.prod(in_shape[1:]))
    shape = None if out is None else ((out, inputs) if layout == "out-in" else (inputs, out))
    weight = _parameter(ctx, "weight", shape, "out (the number of outputs)")
    if weight is None:
        raise ctx.fail(CnnError("weight", "a weight matrix, or a number with out", "nothing"))
    if weight.ndim != 2:
        raise ctx.fail(CnnError("weight", f"a matrix ({layout})", f"{weight.ndim}-D"))
    outputs = weight.shape[0 if layout == "out-in" else 1]
    _check_agrees(ctx, "out", out, outputs, f"the outputs of the weight ({layout})")
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
        layer, shapes = network.Activation(kind, ctx.value("slope") if kind == "leaky_relu" else 0.0), {}
    try:
        out_shape = layer.output_shape(in_shape)
    except CnnError as error:
        raise ctx.fail(error) from None
    return layer, shapes, out_shape
