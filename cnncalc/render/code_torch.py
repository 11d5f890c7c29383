"""A code.Program as PyTorch: the functional calls with every cnncalc convention mapped."""

from __future__ import annotations

from cnncalc.render.code import is_layer, Program, Step, literal, show_lines, unclashed

HEADER = '''import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def show(name, tensor):
    print(name, "=", tensor.detach().tolist())

'''


def _pair(values) -> str:
    return f"({values[0]}, {values[1]})"


def _pads(geom) -> tuple:
    (top, bottom), (left, right) = geom.padding
    return top, bottom, left, right


def _symmetric(geom, limit=None) -> bool:
    top, bottom, left, right = _pads(geom)
    fits = limit is None or (top <= limit[0] and left <= limit[1])
    return top == bottom and left == right and fits


def _weight(step: Step) -> str:
    """The weight as the layer holds it: the user's array, reshaped where its shape differs."""
    param = step.params["weight"]
    if tuple(param.value.shape) != tuple(param.layer_shape):
        return f"{param.var}.reshape{tuple(param.layer_shape)}"
    return param.var


def _bias(step: Step) -> str:
    if "bias" not in step.params:
        return "None"
    param = step.params["bias"]
    same = tuple(param.value.shape) == tuple(param.layer_shape)
    return param.var if same else f"{param.var}.reshape{tuple(param.layer_shape)}"


def conv_lines(step: Step, source: str) -> list[str]:
    layer, geom = step.layer, step.layer.geometry(step.in_shape)
    lines, weight = [], _weight(step)
    if layer.mode == "convolution":
        lines.append("# true convolution = PyTorch's cross-correlation with the kernel rotated 180°")
        weight = f"torch.flip({weight}, dims=[2, 3])"
    top, bottom, left, right = _pads(geom)
    if layer.anchor is not None:
        lines.append(f"# the anchor {tuple(layer.anchor) if isinstance(layer.anchor, list) else layer.anchor} "
                     f"(the kernel cell over each input position) is padding top {top}, bottom {bottom}, "
                     f"left {left}, right {right}")
    padding = "0"
    if _symmetric(geom):
        padding = _pair((top, left))
    else:
        lines.append(f"# padding top {top}, bottom {bottom}, left {left}, right {right} differs by side "
                     "(PyTorch's padding= is symmetric): F.pad takes (left, right, top, bottom)")
        source = f"F.pad({source}, ({left}, {right}, {top}, {bottom}))"
    bias = _bias(step)
    lines.append(f"{step.var} = F.conv2d({source}, {weight}, {bias}, stride={_pair(geom.stride)}, padding={padding}, "
                 f"dilation={_pair(geom.dilation)}, groups={layer.groups})")
    return lines


def pool_lines(step: Step, source: str) -> list[str]:
    layer, geom = step.layer, step.layer.geometry(step.in_shape)
    if layer.kind == "max" and layer.ties != "first":
        return _max_ties_lines(step, source, geom)
    top, bottom, left, right = _pads(geom)
    kernel = _pair(geom.kernel_hw)
    half = tuple(k // 2 for k in geom.effective_kernel_hw)
    if layer.kind == "max":
        lines = ["# max pooling; ties: first: dy goes to the first maximum of each window, as PyTorch"]
        padding = _pair((top, left)) if _symmetric(geom, half) else "0"
        if padding == "0" and any((top, bottom, left, right)):
            lines.append("# padding PyTorch's max_pool2d cannot take: F.pad with −∞ (left, right, top, bottom)")
            source = f"F.pad({source}, ({left}, {right}, {top}, {bottom}), value=float('-inf'))"
        return lines + [f"{step.var} = F.max_pool2d({source}, {kernel}, stride={_pair(geom.stride)}, "
                        f"padding={padding}, dilation={_pair(geom.dilation)}, ceil_mode={geom.ceil_mode})"]
    if _symmetric(geom, tuple(k // 2 for k in geom.kernel_hw)):
        return [f"{step.var} = F.avg_pool2d({source}, {kernel}, stride={_pair(geom.stride)}, "
                f"padding={_pair((top, left))}, ceil_mode={geom.ceil_mode}, "
                f"count_include_pad={layer.count_include_pad})"]
    counted = "1.0" if layer.count_include_pad else "0.0"
    pool = f"{kernel}, stride={_pair(geom.stride)}, ceil_mode={geom.ceil_mode}, divisor_override=1"
    return ["# padding avg_pool2d cannot take: window sums over F.pad(x), divided by the cells counted "
            f"({'padded cells included' if layer.count_include_pad else 'real cells only'})",
            f"{step.var}_sums = F.avg_pool2d(F.pad({source}, ({left}, {right}, {top}, {bottom})), {pool})",
            f"{step.var}_counts = F.avg_pool2d(F.pad(torch.ones({tuple(step.in_shape)}), ({left}, {right}, {top}, "
            f"{bottom}), value={counted}), {pool})",
            f"{step.var} = {step.var}_sums / {step.var}_counts"]


def _max_ties_lines(step: Step, source: str, geom) -> list[str]:
    """Tie rules PyTorch lacks ('split', 'all'): windows as columns (unfold), the tied cells picked so
    that autograd routes dy as the rule says (a sum of the tied cells, over their count for 'split')."""
    top, bottom, left, right = _pads(geom)
    n, c = step.in_shape[:2]
    (kh, kw), (ho, wo) = geom.kernel_hw, geom.out_hw
    extra = [max(0, (o - 1) * s + (k - 1) * d + 1 - p) for o, s, k, d, p in
             zip(geom.out_hw, geom.stride, geom.kernel_hw, geom.dilation, geom.padded_hw)]
    v, ties = step.var, step.layer.ties
    value = (f"{v}_picked.sum(dim=2) / {v}_count" if ties == "split" else
             f"{v}_picked.sum(dim=2) - ({v}_count - 1) * {v}_max.squeeze(2)")
    return [f"# ties: {ties}: PyTorch's max_pool2d sends dy to one maximum per window and has no '{ties}' rule,",
            "# so the windows are taken as columns (F.unfold) and the tied maxima summed so that autograd",
            "# gives " + ("each of the m tied maxima dy/m" if ties == "split" else "each tied maximum all of dy"),
            f"{v}_padded = F.pad({source}, ({left}, {right + extra[1]}, {top}, {bottom + extra[0]}), "
            "value=float('-inf'))",
            f"{v}_columns = F.unfold({v}_padded, {_pair(geom.kernel_hw)}, dilation={_pair(geom.dilation)}, "
            f"stride={_pair(geom.stride)}).reshape({n}, {c}, {kh * kw}, {ho * wo})",
            f"{v}_max = {v}_columns.max(dim=2, keepdim=True).values.detach()",
            f"{v}_tied = {v}_columns.detach() == {v}_max",
            f"{v}_picked = {v}_columns.masked_fill(~{v}_tied, 0.0)",
            f"{v}_count = {v}_tied.sum(dim=2)",
            f"{v} = ({value}).reshape({n}, {c}, {ho}, {wo})"]


def fc_lines(step: Step, source: str) -> list[str]:
    layer = step.layer
    weight = step.params["weight"].var
    lines = []
    if layer.layout == "in-out":
        lines.append(f"# {weight} is (in, out) (in-out layout); F.linear takes (out, in): {weight}.T")
        weight = f"{weight}.T"
    bias = step.params["bias"].var if "bias" in step.params else "None"
    n = step.in_shape[0]
    flat = source if len(step.in_shape) == 2 else f"{source}.reshape({n}, -1)"
    return lines + [f"{step.var} = F.linear({flat}, {weight}, {bias})"]


def act_lines(step: Step, source: str) -> list[str]:
    kind = step.layer.kind
    if kind == "relu":
        return [f"{step.var} = F.relu({source})  # its gradient at 0 is 0, as cnncalc's"]
    if kind == "leaky_relu":
        return [f"{step.var} = F.leaky_relu({source}, negative_slope={step.layer.slope!r})  # gradient at 0: the slope"]
    return [f"{step.var} = torch.{kind}({source})"]


def layer_lines(step: Step, source: str) -> list[str]:
    layer = step.layer
    if is_layer(layer, "Conv"):
        return conv_lines(step, source)
    if is_layer(layer, "Pool"):
        return pool_lines(step, source)
    if is_layer(layer, "Fc"):
        return fc_lines(step, source)
    if is_layer(layer, "Flatten"):
        return [f"{step.var} = {source}.reshape({step.in_shape[0]}, -1)"]
    if is_layer(layer, "Softmax"):
        return [f"{step.var} = torch.softmax({source}, dim=1)"]
    return act_lines(step, source)


def _inputs(program: Program) -> list[str]:
    x = program.x
    lines = [f"{x.var} = torch.tensor({literal(x.value)}, requires_grad=True)"]
    for step in program.steps:
        for param in step.params.values():
            note = "  # one bias per filter" if program.command == "conv" and param.var == "b" else ""
            lines.append(f"{param.var} = torch.tensor({literal(param.value)}, requires_grad=True){note}")
    return lines


def _forward(program: Program) -> tuple[list[str], str]:
    x = program.x
    source = x.var
    lines = []
    if tuple(x.value.shape) != tuple(x.layer_shape):
        source = f"{x.var}.reshape{tuple(x.layer_shape)}"
    for step in program.steps:
        lines += layer_lines(step, source)
        if program.command == "pipeline":
            lines.append(f"{step.var}.retain_grad()")
        source = step.var
    return lines, source


def _loss(program: Program, out: str) -> list[str]:
    t, reduction = literal(program.upstream), program.reduction
    lines = [f"t = torch.tensor({t})"]
    if program.start == "mse":
        formula = {"half_sum": f"F.mse_loss({out}, t, reduction='sum') / 2  # L = ½·Σ(y − t)²: "
                               "PyTorch's MSELoss has no ½",
                   "sum": f"F.mse_loss({out}, t, reduction='sum')",
                   "mean": f"F.mse_loss({out}, t)  # reduction 'mean', PyTorch's default"}[reduction]
        return lines + [f"L = {formula}"]
    fused = program.steps and is_layer(program.steps[-1].layer, "Softmax")
    logits = (program.x.var if len(program.steps) == 1 else program.steps[-2].var) if fused else out
    if fused and len(program.steps) == 1 and tuple(program.x.value.shape) != tuple(program.x.layer_shape):
        logits = f"{program.x.var}.reshape{tuple(program.x.layer_shape)}"
    lines += ["# cross-entropy from the logits: F.cross_entropy takes z (it applies log-softmax itself), not p;",
              "# t is a probability target (one-hot for a class index)",
              f"L = F.cross_entropy({logits}, t, reduction='{reduction}')"]
    if fused:
        scale = f" / {program.x.layer_shape[0]}" if reduction == "mean" else ""
        p = program.steps[-1].var
        lines += ["# dL/dp = −t/p (0 where t = 0), the gradient of −Σ t·ln p at p: not on this graph",
                  f"dL_dp = torch.where(t > 0, -t / {p}.detach(), torch.zeros_like(t)){scale}"]
    return lines


def _shows(program: Program, out: str) -> list[str]:
    fused = program.start == "cross_entropy" and is_layer(program.steps[-1].layer, "Softmax")
    last = program.steps[-1].var if program.steps else None

    def gradient(var: str) -> str:
        return "dL_dp" if fused and var == last else f"{var}.grad"  # dL/dp is not on the graph

    return show_lines(program, out, lambda var: var, gradient)


RESERVED = {"torch", "F", "show", "t", "L", "dL_dp"}  # names the printed program uses itself


def torch_code(program: Program) -> str:
    """The whole program as PyTorch, runnable as printed (inputs inlined)."""
    program = unclashed(program, RESERVED)
    lines = _inputs(program)
    forward, out = _forward(program)
    lines += forward
    if program.start == "dy":
        lines += [f"y = {out}.reshape{tuple(program.out_shape)}",
                  f"dy = torch.tensor({literal(program.upstream)})", "y.backward(dy)"]
        out = "y"
    elif program.start:
        lines += _loss(program, out) + ["L.backward()"]
    elif program.steps and program.command != "pipeline":
        lines.append(f"y = {out}.reshape{tuple(program.out_shape)}")
        out = "y"
    return HEADER + "\n".join(lines + [""] + _shows(program, out)) + "\n"
