"""`cnncalc pipeline`: a whole network from a file, every intermediate and every gradient.

Names: `<type>_<k>` counting per layer type (conv_1, relu_1, pool_1, flatten_1, fc_1),
softmax's output `p`, the loss `L`, or a layer's own `name:`; parameters
`conv_1.weight`, `conv_1.bias`, `fc_1.weight`; gradients `dL/d<name>`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from cnncalc.core.conventions import Rule, RuleId
from cnncalc.core.network import Loss, Pool, run_network
from cnncalc.core.softmax import target_distribution
from cnncalc.errors import CnnError, did_you_mean
from cnncalc.layers.pipeline import LOSS_FIELDS, LOSS_REDUCTIONS, LOSS_TYPE, SPEC
from cnncalc.inputs import fields
from cnncalc.inputs.budget import check_total
from cnncalc.inputs.problem import Problem
from cnncalc.result import Result
from cnncalc.inputs.tensors import check_size, default_seed_note, materialize, read_tensor
from cnncalc.naming import Naming, pipeline_gradients
from cnncalc.solve.conv import conv_rules
from cnncalc.solve.layout import shown_shape
from cnncalc.solve.common import (check_names, check_window_sizes, check_windows_meet_input, kink_warning, read_array,
                                  require, shape_text)
from cnncalc.solve.pool import pool_rules
from cnncalc.solve.pipeline_spec import COUNTER, LayerContext, PlannedLayer, build_layer, layer_entry
from cnncalc.vocabulary import ACTIVATION_KINDS

MAP_FIRST = ("conv", "maxpool", "avgpool", "flatten")
BATCH_FIRST = ("fc", "softmax")


@dataclass
class PipelineProblem:
    input: np.ndarray
    batched_input: np.ndarray
    layers: list[PlannedLayer]
    loss: Loss
    target: np.ndarray
    names: Naming
    only: list[str] | None


def read(problem: Problem) -> PipelineProblem:
    require(problem, "input")
    require(problem, "layers", what="a list of layers")
    x = read_array(problem, "input")
    batched = _batch_first(x, problem.values["layers"])
    planned = plan_layers(problem, batched.shape)
    loss, target_raw = _read_loss(problem)
    target = _read_target(problem, loss, target_raw, planned[-1].out_shape if planned else batched.shape)
    names = _naming(problem, planned)
    only = problem.option(SPEC.option("only"))
    return PipelineProblem(x, batched, planned, loss, target, names, only)


def _naming(problem: Problem, planned: list[PlannedLayer]) -> Naming:
    """Display names for this network's tensors: its intermediates, parameters and their gradients."""
    tensors = ["input"] + [name for step in planned
                           for name in [step.name] + [f"{step.name}.{key}" for key in step.param_shapes]]
    gradients = pipeline_gradients(tensors)
    return check_names(problem, tensors + ["target", "L"] + list(gradients), gradients)


def _layout_setter(layers) -> str | None:
    """The first layer type that fixes how a 2-D input is read (activations take either)."""
    for k, raw in enumerate(layers if isinstance(layers, list) else []):
        try:
            kind = layer_entry(raw, f"layers[{k}]")[0]
        except CnnError:
            return None  # plan_layers reports it, with its line
        if kind in MAP_FIRST + BATCH_FIRST:
            return kind
    return None


def _batch_first(x: np.ndarray, layers) -> np.ndarray:
    """Vectors as (1, K); a 2-D input is a batch (N, K) before fc or softmax, else a map (1, 1, H, W)."""
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim == 2 and _layout_setter(layers) in BATCH_FIRST:
        return x
    if x.ndim > 4:
        raise CnnError("input", "at most 4 dimensions (N, C, H, W)", shape_text(x.shape))
    return x.reshape((1,) * (4 - x.ndim) + x.shape)


def plan_layers(problem: Problem, shape: tuple) -> list[PlannedLayer]:
    raw_layers = problem.values["layers"]
    if not isinstance(raw_layers, list) or not raw_layers:
        raise problem.locate(CnnError("layers", "a non-empty list of layers", repr(raw_layers)[:40]))
    counts: dict[str, int] = {}
    planned, taken = [], set()
    total = 2 * math.prod(shape)  # the input and its gradient
    for k, raw in enumerate(raw_layers):
        try:
            kind, options, path = layer_entry(raw, f"layers[{k}]")
        except CnnError as error:
            raise problem.locate(error) from None
        counter = COUNTER.get(kind, kind)
        counts[counter] = counts.get(counter, 0) + 1
        name = _layer_name(options, "p" if kind == "softmax" and counts[counter] == 1
                           else f"{counter}_{counts[counter]}",
                           LayerContext(problem.document, path, f"layers[{k}]", options, problem.max_elements))
        ctx = LayerContext(problem.document, path, f"layers[{k}] ({name})", options, problem.max_elements, kind,
                           problem.index_base, problem.notes)
        _check_name(ctx, name, taken)
        layer, param_shapes, out_shape = build_layer(kind, ctx, shape)
        for parameter in param_shapes:
            _check_name(ctx, f"{name}.{parameter}", taken)
        _check_layer_sizes(ctx, layer, shape, out_shape, problem.max_elements)
        total += 2 * (math.prod(out_shape) + sum(math.prod(p) for p in param_shapes.values()))
        _check_total(ctx, total, problem.max_elements)
        planned.append(PlannedLayer(layer, kind, name, path, shape, out_shape, param_shapes))
        shape = out_shape
    return planned


def _layer_name(options: dict, default: str, ctx: LayerContext) -> str:
    """The layer's own `name:` (one short printable line), or the counted default."""
    if options.get("name") is None:
        return default
    try:
        return fields.read_display_name(options["name"], "name")
    except CnnError as error:
        raise ctx.fail(error) from None


RESERVED = {"L": "the loss", "input": "the network's input", "target": "the loss's target"}


def _check_name(ctx: LayerContext, name: str, taken: set) -> None:
    """Every intermediate and parameter has its own name, so no result overwrites another."""
    if name in RESERVED:
        raise ctx.fail(CnnError("name", f"a name other than {name} ({RESERVED[name]})", f"'{name}'"))
    if name in taken:
        raise ctx.fail(CnnError("name", "a name used once (layers and their parameters)", f"'{name}' again"))
    taken.add(name)


def _check_total(ctx: LayerContext, total: int, max_elements: int) -> None:
    """Every intermediate, parameter and gradient planned so far, bounded before the next is made."""
    try:
        check_total(total, "layers", max_elements)
    except CnnError as error:
        raise replace(ctx.fail(replace(error, field="")), hint=error.hint) from None


def _check_layer_sizes(ctx: LayerContext, layer, in_shape: tuple, out_shape: tuple, max_elements: int) -> None:
    try:
        if hasattr(layer, "geometry"):
            check_window_sizes(layer.geometry(in_shape), in_shape[:2], out_shape[1], max_elements)
        if isinstance(layer, Pool):
            check_windows_meet_input(layer.geometry(in_shape))
        check_size(out_shape, "output", max_elements)
    except CnnError as error:
        raise ctx.fail(error) from None


def _read_loss(problem: Problem) -> tuple[Loss, object]:
    raw = problem.values.get("loss")
    if raw is None:
        raise problem.locate(CnnError("loss", "a loss: cross_entropy or mse (with a target)", "nothing"))
    options = raw if isinstance(raw, dict) else {"type": raw}
    for key in options:
        if key not in LOSS_FIELDS:
            raise problem.locate(CnnError(f"loss.{key}", "type, reduction or target", f"'{key}'",
                                          hint=did_you_mean(key, LOSS_FIELDS)))
    try:
        loss_kind = LOSS_TYPE.read(options.get("type", options.get("kind", "")),
                                   "loss.type" if isinstance(raw, dict) else "loss")
        reduction = LOSS_REDUCTIONS[loss_kind]
        reduction = reduction.read(options.get("reduction", reduction.default), "loss.reduction")
    except CnnError as error:
        raise problem.locate(error) from None
    return Loss(loss_kind, reduction), options.get("target")


def _read_target(problem: Problem, loss: Loss, inner, out_shape: tuple) -> np.ndarray:
    if inner is not None and problem.has("target"):
        raise problem.locate(CnnError("target", "one target, under loss or at the top level", "both"))
    if inner is None and not problem.has("target"):
        raise problem.locate(CnnError("target", f"a target for the {loss.kind} loss", "nothing"))
    field, raw = ("loss.target", inner) if inner is not None else ("target", problem.values["target"])
    try:
        spec = read_tensor(raw, field, problem.max_elements)
        problem.notes += filter(None, [default_seed_note(spec, field)])
        target = materialize(spec, field, out_shape, problem.max_elements)
        if loss.kind == "cross_entropy":
            if len(out_shape) != 2:
                raise CnnError("loss", "cross-entropy on scores (N, K)", f"an output of {shape_text(out_shape)}",
                               hint="end the layers with fc (and softmax)")
            return target_distribution(target, out_shape)
        if target.size == 1 and target.ndim == 0:
            return np.full(out_shape, float(target))
        if target.shape not in _spellings(out_shape):
            raise CnnError(field, f"the shape of the network's output, {shape_text(_spellings(out_shape)[-1])}",
                           shape_text(target.shape))
        return target.reshape(out_shape)
    except CnnError as error:
        raise problem.locate(replace(error, field=field) if error.field == "target" else error) from None


def _spellings(shape: tuple) -> list[tuple]:
    """A batch-first shape and the same without its leading axes of 1, as a user may write it."""
    shapes = [tuple(shape)]
    while len(shapes[-1]) > 1 and shapes[-1][0] == 1:
        shapes.append(shapes[-1][1:])
    return shapes


def _display(array: np.ndarray, lead: int) -> np.ndarray:
    """A batch-first tensor without the leading axes the user did not write."""
    return array.reshape(shown_shape(array.shape, lead))


def _layer_rules(step: PlannedLayer) -> tuple[Rule, ...]:
    layer = step.layer
    if step.kind == "conv":
        return tuple(conv_rules(layer.geometry(step.in_shape), layer.mode, layer.groups, layer.bias is not None,
                                layer.padding, layer.anchor))
    if step.kind in ("maxpool", "avgpool"):
        return tuple(pool_rules(layer.geometry(step.in_shape), layer.kind, layer.padding, layer.ties,
                                layer.count_include_pad))
    if step.kind == "fc":
        return (Rule(RuleId.FC, {"layout": layer.layout, "bias": layer.bias is not None}),)
    if step.kind in ACTIVATION_KINDS:
        return (Rule(RuleId.ACTIVATION, {"kind": step.kind, "slope": layer.slope}),)
    return ()


def _describe(step: PlannedLayer, lead: int) -> Rule:
    return Rule(RuleId.LAYER, {"name": step.name, "kind": step.kind, "in_shape": shown_shape(step.in_shape, lead),
                               "out_shape": shown_shape(step.out_shape, lead)}, _layer_rules(step))


def solve(p: PipelineProblem, max_elements: int) -> Result:
    layers = [step.layer for step in p.layers]
    run = run_network(layers, p.batched_input, p.loss, p.target)
    lead = p.batched_input.ndim - p.input.ndim
    fused = p.loss.kind == "cross_entropy" and bool(p.layers) and p.layers[-1].kind == "softmax"
    result = Result("pipeline", _parameters(p), naming=p.names,
                    conventions=[_describe(step, lead) for step in p.layers] +
                    [Rule(RuleId.PIPELINE_LOSS, {"kind": p.loss.kind, "reduction": p.loss.reduction, "fused": fused})])
    result.inputs["input"] = p.input
    for step in p.layers:
        for key, shape in step.param_shapes.items():
            result.inputs[f"{step.name}.{key}"] = getattr(step.layer, key).reshape(shape)
            result.slice_axes[f"{step.name}.{key}"] = ("o", "c")
        if step.kind == "fc" and len(step.in_shape) > 2:
            result.notes.append(f"{step.name} flattens its input {shape_text(step.in_shape)} in C order "
                                "(channel, then row, then column)")
    result.inputs["target"] = _display(p.target, lead)
    for step, output in zip(p.layers, run.outputs):
        result.forward[step.name] = _display(output, lead)
    result.forward["L"] = np.array(run.loss)
    result.warnings += _kink_warnings(p.layers, [p.batched_input] + run.outputs[:-1])
    for step, grad in zip(reversed(p.layers), reversed(run.output_grads)):
        result.backward[f"dL/d{step.name}"] = _display(grad, lead)
    result.backward["dL/dinput"] = run.input_grad.reshape(p.input.shape)
    for step, grads in zip(p.layers, run.param_grads):
        for key, grad in grads.items():
            result.backward[f"dL/d{step.name}.{key}"] = grad.reshape(step.param_shapes[key])
            result.slice_axes[f"dL/d{step.name}.{key}"] = ("o", "c")
    result.magnitudes = _magnitudes(p, layers, run, lead)
    return _only(result, p.only) if p.only else result


def _magnitudes(p: PipelineProblem, layers: list, run, lead: int) -> dict:
    """Σ|terms| of every computed tensor, by the result's names (cnncalc.core.magnitudes)."""
    from cnncalc.core.magnitudes import network_magnitudes

    sizes = network_magnitudes(layers, p.batched_input, p.loss, p.target, run)
    found = {step.name: _display(size, lead) for step, size in zip(p.layers, sizes.outputs)}
    found |= {f"dL/d{step.name}": _display(size, lead) for step, size in zip(p.layers, sizes.output_grads)}
    found["dL/dinput"] = sizes.input_grad.reshape(p.input.shape)
    for step, grads in zip(p.layers, sizes.param_grads):
        found |= {f"dL/d{step.name}.{key}": size.reshape(step.param_shapes[key]) for key, size in grads.items()}
    return found


def _kink_warnings(steps: list[PlannedLayer], inputs: list[np.ndarray]) -> list[str]:
    return [line for step, x in zip(steps, inputs) for line in kink_warning(step.kind, x, f"{step.name}: ")]


def _layer_options(step: PlannedLayer) -> dict:
    """A layer's resolved options, as its single-layer command takes them (explanations re-run it)."""
    layer = step.layer
    if step.kind == "conv":
        geom = layer.geometry(step.in_shape)
        return {"stride": list(geom.stride), "padding": [list(pair) for pair in geom.padding],
                "dilation": list(geom.dilation), "groups": layer.groups, "mode": layer.mode}
    if step.kind in ("maxpool", "avgpool"):
        geom = layer.geometry(step.in_shape)
        return {"kind": layer.kind, "kernel_size": list(geom.kernel_hw), "stride": list(geom.stride),
                "padding": [geom.padding[0][0], geom.padding[1][0]], "dilation": list(geom.dilation),
                "ceil_mode": geom.ceil_mode, "count_include_pad": layer.count_include_pad, "ties": layer.ties}
    if step.kind == "fc":
        return {"weight_layout": layer.layout}
    if step.kind in ACTIVATION_KINDS:
        return {"kind": step.kind, "slope": layer.slope}
    return {}


def _parameters(p: PipelineProblem) -> dict:
    return {"layers": [{"name": s.name, "type": s.kind, "input_shape": list(s.in_shape),
                        "output_shape": list(s.out_shape), "options": _layer_options(s)} for s in p.layers],
            "loss": {"type": p.loss.kind, "reduction": p.loss.reduction},
            "batch": int(p.batched_input.shape[0])}


def _only(result: Result, wanted: list[str]) -> Result:
    """Keep the tensors named in --only (canonical or display names)."""
    sections = (result.inputs, result.forward, result.backward)
    keep = {result.naming.canonical(name, result.tensor_names, "only") for name in wanted}
    for section in sections:
        for key in [k for k in section if k not in keep]:
            del section[key]
    return result
