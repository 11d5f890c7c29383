"""The conventions a result was computed under, as data: a rule id and its parameters.

No prose here: cnncalc.render.conventions turns each rule into text (and later Markdown
and LaTeX); explanations and answer diagnosis read the same ids and parameters.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class RuleId(str, enum.Enum):
    CONV_MODE = "conv.mode"              # mode
    CONV_SUM = "conv.sum"                # mode, groups, bias
    WINDOWS = "windows"                  # op (conv, max, avg), kernel, stride, dilation, padding, padding_given,
    #                                      anchor, groups (conv), ceil_mode (pool)
    POOL_MAX = "pool.max"
    POOL_TIES = "pool.ties"              # ties
    POOL_AVG = "pool.avg"                # count_include_pad
    FC = "fc"                            # layout, bias
    ACTIVATION = "activation"            # kind, slope
    SOFTMAX = "softmax"
    CROSS_ENTROPY = "cross_entropy"      # reduction, rows
    CE_GRADIENTS = "cross_entropy.grad"  # reduction
    JACOBIAN = "softmax.jacobian"
    MSE = "mse"                          # reduction, n
    LAYER = "pipeline.layer"             # name, kind, in_shape, out_shape, and the layer's rules
    PIPELINE_LOSS = "pipeline.loss"      # kind, reduction, fused
    OUTPUT_SIZE = "shape.output"         # op, input, kernel, output
    SIZE_FORMULA = "shape.size"          # axis, n, k, s, d, lo, hi, ceil_mode, before_drop, out


def windows(op: str, geom, padding_given=None, anchor=None, groups=None) -> "Rule":
    """The sliding-window rule of a conv or pool: sizes, stride, dilation and padding per side."""
    params = {"op": op, "kernel": geom.kernel_hw, "stride": geom.stride, "dilation": geom.dilation,
              "padding": geom.padding, "padding_given": padding_given, "anchor": anchor}
    if groups is not None:
        params["groups"] = groups
    if op != "conv":
        params["ceil_mode"] = geom.ceil_mode
    return Rule(RuleId.WINDOWS, params)


@dataclass(frozen=True)
class Rule:
    """One convention in force: which rule, with which numbers."""

    id: RuleId
    params: dict = field(default_factory=dict)
    parts: tuple["Rule", ...] = ()  # a pipeline layer's own rules

    def as_data(self) -> dict:
        data = {"id": self.id.value, **{k: _plain(v) for k, v in self.params.items()}}
        if self.parts:
            data["rules"] = [part.as_data() for part in self.parts]
        return data


def _plain(value):
    """Tuples as lists, so the data reads the same from JSON and YAML."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value
