"""The conventions of a result in words: one line per rule (cnncalc.core.conventions)."""

from __future__ import annotations

from cnncalc.core.conventions import Rule, RuleId
from cnncalc.errors import shape_text

TIE_RULES = {
    "first": "the first maximum in row-major window order gets dy (PyTorch)",
    "split": "dy is shared equally among the tied maxima of the window",
    "all": "every tied maximum of the window gets the full dy",
}
CE_LOSS = {"sum": "L = −Σ t·ln p", "mean": "L = −(1/N)·Σ t·ln p"}
MSE_LOSS = {"half_sum": "L = ½·Σ(y − t)²", "sum": "L = Σ(y − t)²", "mean": "L = (1/n)·Σ(y − t)²"}
MSE_GRADIENT = {"half_sum": "dL/dy = y − t", "sum": "dL/dy = 2·(y − t)", "mean": "dL/dy = 2·(y − t)/n"}
MSE_SOURCE = {"half_sum": "the textbook form with ½; PyTorch's MSELoss is reduction mean",
              "sum": "PyTorch's MSELoss(reduction='sum')",
              "mean": "PyTorch's MSELoss (default reduction='mean')"}
ACTIVATIONS = {
    "relu": ("y = max(x, 0)", "dx = dy · [x > 0]  (0 at x = 0 exactly, as PyTorch)"),
    "leaky_relu": ("y = x if x > 0 else a·x  (a = {slope})", "dx = dy · (1 if x > 0 else a)  (a at x = 0, as PyTorch)"),
    "sigmoid": ("y = σ(x) = 1 / (1 + e^−x)", "dx = dy · y · (1 − y)"),
    "tanh": ("y = tanh x", "dx = dy · (1 − y²)"),
}


WINDOW_WORDS = {"conv": "kernel", "max": "max pooling, window", "avg": "average pooling, window"}


def _pair(pair) -> str:
    return f"{pair[0]}×{pair[1]}"


def padding_text(params: dict) -> str:
    (top, bottom), (left, right) = params["padding"]
    numbers = f"top {top}, bottom {bottom}, left {left}, right {right}"
    given, anchor = params.get("padding_given"), params.get("anchor")
    if anchor is not None:
        return f"from kernel anchor {anchor}: {numbers}"
    if given == "same":
        return f"same (TensorFlow rule: output = ceil(input/stride), extra on bottom/right): {numbers}"
    if given == "full":
        return f"full (d·(k−1) on each side): {numbers}"
    if given in (0, "valid", None) and not any(params["padding"][0] + params["padding"][1]):
        return "valid (none)"
    return numbers


def _conv_mode(params: dict) -> list[str]:
    if params["mode"] == "correlation":
        return ["mode: cross-correlation (kernel not rotated, as PyTorch's conv2d)"]
    return ["mode: true convolution (kernel rotated 180°)"]


def _conv_sum(params: dict) -> list[str]:
    (sh, sw), (dh, dw) = params["stride"], params["dilation"]
    kernel = "w[o,c,p,q]" if params["mode"] == "correlation" else "w[o,c,kH−1−p,kW−1−q]"
    channel, note = ("c", "") if params["groups"] == 1 else ("g·C/G + c", "  (g: the group of filter o; G groups)")
    bias = " + b[o]" if params["bias"] else ""
    return [f"y[n,o,i,j] = Σ_c Σ_p Σ_q x_pad[n, {channel}, {sh}·i + {dh}·p, {sw}·j + {dw}·q] · {kernel}{bias}{note}"]


def _windows(params: dict) -> str:
    text = (f"{WINDOW_WORDS[params['op']]} {_pair(params['kernel'])}, stride {_pair(params['stride'])}, "
            f"dilation {_pair(params['dilation'])}")
    if params.get("groups") is not None:
        text += f", groups {params['groups']}"
    text += f", padding {padding_text(params)}"
    return text + (", ceil_mode (output size rounded up)" if params.get("ceil_mode") else "")


def _size_formula(p: dict) -> str:
    n_name, k_name, lo_name, hi_name = (("H", "kH", "top", "bottom"), ("W", "kW", "left", "right"))[p["axis"]]
    left, right = ("⌈", "⌉") if p["ceil_mode"] else ("⌊", "⌋")
    symbols = f"{left}({n_name} + {lo_name} + {hi_name} − d·({k_name} − 1) − 1) / s{right} + 1"
    numbers = f"{left}({p['n']} + {p['lo']} + {p['hi']} − {p['d']}·({p['k']} − 1) − 1) / {p['s']}{right} + 1"
    text = f"{n_name}_out = {symbols} = {numbers} = {p['before_drop']}"
    if p["before_drop"] != p["out"]:
        text += f" − 1 = {p['out']} (the last window would start in the right padding; PyTorch drops it)"
    return text


def _fc(params: dict) -> list[str]:
    plus_b = " + b" if params["bias"] else ""
    if params["layout"] == "out-in":
        return [f"y = W·x{plus_b}, W is (out, in) as in PyTorch's nn.Linear: y[k] = Σ_i W[k,i]·x[i]{plus_b}",
                "dx = Wᵀ·dy, dW = dy·xᵀ (outer product, summed over the batch), db = dy"]
    return [f"y = x·W{plus_b}, W is (in, out): y[k] = Σ_i x[i]·W[i,k]{plus_b}",
            "dx = dy·Wᵀ, dW = xᵀ·dy (outer product, summed over the batch), db = dy"]


def _activation(params: dict) -> list[str]:
    forward, backward = ACTIVATIONS[params["kind"]]
    slope = format(params.get("slope") or 0, "g")
    return [f"{params['kind']}: {forward.format(slope=slope)}", backward]


def _layer(params: dict, parts) -> str:
    inner = "; ".join(line for part in parts for line in rule_lines(part))
    return (f"{params['name']} = {params['kind']}" + (f" ({inner})" if inner else "") +
            f": {shape_text(params['in_shape'])} → {shape_text(params['out_shape'])}")


def _pipeline_loss(params: dict) -> str:
    if params["kind"] == "mse":
        return f"L = mse: {MSE_LOSS[params['reduction']]}"
    line = f"L = cross-entropy: {CE_LOSS[params['reduction']]} (natural log)"
    return line + ("; through softmax dL/dz = p − t" if params["fused"] else
                   " on the last output as logits (as PyTorch)")


def _mse(params: dict) -> list[str]:
    reduction = params["reduction"]
    count = f"; n = {params['n']} entries" if reduction == "mean" else ""
    return [f"mse: {MSE_LOSS[reduction]}, {MSE_GRADIENT[reduction]}  ({MSE_SOURCE[reduction]}{count})"]


def _avg(params: dict) -> list[str]:
    divisor = ("padded cells count in the divisor (count_include_pad, PyTorch's default)"
               if params["count_include_pad"] else "only real input cells count in the divisor")
    return [f"y[i,j] = Σ window / divisor[i,j] (padding counts as 0); {divisor}",
            "dx: every cell of a window gets dy[i,j] / divisor[i,j]; overlapping windows add up"]


def _ce_gradients(params: dict) -> list[str]:
    scale = " / N" if params["reduction"] == "mean" else ""
    return [f"dL/dp = −t / p{scale}  (0 where t = 0)",
            f"dL/dz = p − t{scale}  (p·Σt − t for targets that do not sum to 1)"]


def _output_size(params: dict) -> list[str]:
    return [f"{params['op']}: input {shape_text(params['input'])}, kernel {shape_text(params['kernel'])} → "
            f"output {shape_text(params['output'])}"]


FIXED = {
    RuleId.POOL_MAX: "y[i,j] = max over the window (padding counts as −∞); argmax = where that max sits in x",
    RuleId.SOFTMAX: "p[k] = e^(z[k] − max z) / Σ_j e^(z[j] − max z)  (softmax, computed stably)",
    RuleId.JACOBIAN: "Jacobian dp/dz = diag(p) − p·pᵀ: entry [i,j] = p_i·(δ_ij − p_j)",
}
WRITERS = {
    RuleId.CONV_MODE: _conv_mode,
    RuleId.CONV_SUM: _conv_sum,
    RuleId.WINDOWS: lambda p: [_windows(p)],
    RuleId.POOL_TIES: lambda p: [f"ties: {p['ties']}: {TIE_RULES[p['ties']]}; overlapping windows add their gradients"],
    RuleId.POOL_AVG: _avg,
    RuleId.FC: _fc,
    RuleId.ACTIVATION: _activation,
    RuleId.CROSS_ENTROPY: lambda p: [f"{CE_LOSS[p['reduction']]}  (natural log; N = {p['rows']} rows)"],
    RuleId.CE_GRADIENTS: _ce_gradients,
    RuleId.MSE: _mse,
    RuleId.PIPELINE_LOSS: lambda p: [_pipeline_loss(p)],
    RuleId.OUTPUT_SIZE: _output_size,
    RuleId.SIZE_FORMULA: lambda p: [_size_formula(p)],
}


def rule_lines(rule: Rule) -> list[str]:
    """The rule in words: one line, or two for a forward and a backward formula."""
    if rule.id in FIXED:
        return [FIXED[rule.id]]
    if rule.id == RuleId.LAYER:
        return [_layer(rule.params, rule.parts)]
    return WRITERS[rule.id](rule.params)


def convention_lines(rules) -> list[str]:
    """Every rule of a result, in words."""
    return [line for rule in rules for line in rule_lines(rule)]
