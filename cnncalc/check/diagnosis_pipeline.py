"""The usual mistakes inside a pipeline: one layer (or the loss) done wrong, the rest right.

A pipeline tensor is the output, the input gradient or the weight gradient of one layer, or
the loss or its gradient. That layer is re-read from the Result (its input, parameters and
upstream gradient, its rules) into a single-layer Result under the pipeline's names, and the
single-layer commands' mistakes apply to it unchanged.
"""

from __future__ import annotations

import numpy as np

from cnncalc.check.diagnosis_dense import act_rules, fc_rules, loss_rules, softmax_rules
from cnncalc.check.diagnosis_rules import Candidate
from cnncalc.check.diagnosis_windows import conv_rules, pool_rules
from cnncalc.core.conventions import RuleId
from cnncalc.naming import Naming
from cnncalc.result import Result

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh")


class Layers:
    """The pipeline's layers as the Result describes them: names, kinds, batch-first shapes, rules."""

    def __init__(self, result: Result):
        self.result = result
        self.steps = result.parameters["layers"]
        self.rules = {rule.params["name"]: rule.parts for rule in result.conventions if rule.id == RuleId.LAYER}
        loss = next(rule.params for rule in result.conventions if rule.id == RuleId.PIPELINE_LOSS)
        self.loss, self.reduction, self.fused = loss["kind"], loss["reduction"], loss["fused"]

    def input_name(self, k: int) -> str:
        return "input" if k == 0 else self.steps[k - 1]["name"]

    def tensor(self, name: str, shape) -> np.ndarray | None:
        """A pipeline tensor in its batch-first shape, or None when the Result does not hold it."""
        try:
            return np.asarray(self.result.tensor(name), dtype=np.float64).reshape(shape)
        except KeyError:
            return None

    def rule(self, k: int, rule_id: RuleId) -> dict:
        return next((r.params for r in self.rules.get(self.steps[k]["name"], ()) if r.id == rule_id), {})

    def locate(self, name: str) -> tuple[int, str] | None:
        """(layer index, the layer's own name for it: 'y', 'dx', 'dw') for a pipeline tensor."""
        for k, step in enumerate(self.steps):
            if name == step["name"]:
                return k, "y"
            if name == f"dL/d{self.input_name(k)}":
                return k, "dx"
            if name == f"dL/d{step['name']}.weight":
                return k, "dw"
        return None


def pipeline_rules(result: Result, name: str, given: np.ndarray) -> list:
    """The mistakes of the layer (or loss) that made pipeline tensor `name`."""
    layers = Layers(result)
    shape = result.tensor(name).shape
    found = _loss_candidates(layers, name, given)
    located = layers.locate(name)
    if located and not found:
        single = _single_layer(layers, *located)
        if single is not None:
            command, local = single.command, located[1]
            found = RULES[command](single, local, given.reshape(single.tensor(local).shape))
    return [Candidate(c.rule, c.what, c.why, _reshaped(c.compute, shape)) for c in found]


def _reshaped(compute, shape):
    return lambda: None if (value := compute()) is None else np.asarray(value).reshape(shape)


def _naming(layers: Layers, names: dict[str, str]) -> Naming:
    """The pipeline's spelling of a single layer's tensors: x → relu_1, dw → dL/dconv_2.weight, ..."""
    shown = layers.result.naming
    return Naming({local: shown.shown(full) for local, full in names.items()}, {}, shown.base)


def _single_layer(layers: Layers, k: int, local: str) -> Result | None:
    step = layers.steps[k]
    kind, layer, before = step["type"], step["name"], layers.input_name(k)
    x = layers.tensor(before, step["input_shape"])
    y = layers.tensor(layer, step["output_shape"])
    dy = layers.tensor(f"dL/d{layer}", step["output_shape"])
    w = layers.result.inputs.get(f"{layer}.weight")
    b = layers.result.inputs.get(f"{layer}.bias")
    names = {"x": before, "y": layer, "w": f"{layer}.weight", "b": f"{layer}.bias", "dx": f"dL/d{before}",
             "dy": f"dL/d{layer}", "dw": f"dL/d{layer}.weight"}
    if x is None or (local != "y" and dy is None):
        return None
    inputs = {"x": x} | ({"dy": dy} if dy is not None else {}) | ({"w": w} if w is not None else {}) | (
        {"b": b} if b is not None else {})
    single = Result(_command(kind), _parameters(layers, k, kind, x, w), inputs=inputs, forward={"y": y},
                    naming=_naming(layers, names))
    single.backward.update({key: layers.tensor(names[key], shape) for key, shape in
                            (("dx", x.shape), ("dw", None if w is None else w.shape)) if shape is not None})
    return single if single.command in RULES else None


def _command(kind: str) -> str:
    return {"maxpool": "pool", "avgpool": "pool"}.get(kind, "act" if kind in ACTIVATIONS else kind)


def _parameters(layers: Layers, k: int, kind: str, x: np.ndarray, w) -> dict:
    """The single-layer command's resolved parameters, from the layer's rules."""
    windows = layers.rule(k, RuleId.WINDOWS)
    out_hw = list(layers.steps[k]["output_shape"][2:])
    common = {key: windows.get(key) for key in ("stride", "padding", "dilation")} | {"output_hw": out_hw}
    if kind == "conv":
        return common | {"mode": layers.rule(k, RuleId.CONV_MODE)["mode"], "groups": windows["groups"],
                         "input_nchw": list(x.shape), "weight_oihw": list(w.shape)}
    if kind in ("maxpool", "avgpool"):
        return common | {"kind": kind[:3], "kernel_size": windows["kernel"], "ceil_mode": windows["ceil_mode"],
                         "ties": layers.rule(k, RuleId.POOL_TIES).get("ties"),
                         "count_include_pad": layers.rule(k, RuleId.POOL_AVG).get("count_include_pad")}
    if kind == "fc":
        return {"weight_layout": layers.rule(k, RuleId.FC)["layout"], "batch": x.shape[0],
                "in": int(np.prod(x.shape[1:])), "out": layers.steps[k]["output_shape"][-1]}
    return layers.rule(k, RuleId.ACTIVATION)


def _loss_candidates(layers: Layers, name: str, given: np.ndarray) -> list:
    """L and the loss's own gradients: softmax with cross-entropy (fused), or MSE on the last output."""
    last = layers.steps[-1]
    before = layers.input_name(len(layers.steps) - 1)
    if layers.fused:
        local = {"L": "L", f"dL/d{last['name']}": "dp", f"dL/d{before}": "dz"}.get(name)
        single = _softmax_result(layers, last, before) if local else None
    elif layers.loss == "mse":
        local = {"L": "L", f"dL/d{last['name']}": "dy"}.get(name)
        single = _mse_result(layers, last) if local else None
    else:
        return []
    return RULES[single.command](single, local, given) if single is not None else []


def _softmax_result(layers: Layers, last: dict, before: str) -> Result | None:
    z = layers.tensor(before, last["input_shape"])
    t = layers.tensor("target", last["output_shape"])
    if z is None or t is None or z.ndim != 2:
        return None
    names = {"z": before, "p": last["name"], "L": "L", "dp": f"dL/d{last['name']}", "dz": f"dL/d{before}"}
    single = Result("softmax", {"reduction": layers.reduction, "classes": z.shape[1], "batch": z.shape[0]},
                    inputs={"z": z, "t": t}, naming=_naming(layers, names))
    single.forward["L"] = np.asarray(layers.result.tensor("L"))
    single.backward.update({"dp": layers.tensor(names["dp"], z.shape), "dz": layers.tensor(names["dz"], z.shape)})
    return single


def _mse_result(layers: Layers, last: dict) -> Result | None:
    y = layers.tensor(last["name"], last["output_shape"])
    t = layers.tensor("target", last["output_shape"])
    if y is None or t is None:
        return None
    names = {"y": last["name"], "L": "L", "dy": f"dL/d{last['name']}"}
    single = Result("loss", {"kind": "mse", "reduction": layers.reduction}, inputs={"y": y, "t": t},
                    naming=_naming(layers, names))
    single.forward["L"] = np.asarray(layers.result.tensor("L"))
    single.backward["dy"] = layers.tensor(names["dy"], y.shape)
    return single


RULES = {"conv": conv_rules, "pool": pool_rules, "fc": fc_rules, "act": act_rules, "softmax": softmax_rules,
         "loss": loss_rules}
