"""A code.Program as plain NumPy: the forward pass, the loss, then the backward pass written out
layer by layer (the layers' functions, loops over output positions, are in code_numpy_functions.py),
every cnncalc convention said in a comment. Runnable as printed: it imports numpy only."""

from __future__ import annotations

from dataclasses import dataclass, field

from cnncalc.render.code import is_layer, Param, Program, Step, literal, show_lines, unclashed
from cnncalc.render.code_numpy_functions import FUNCTIONS, definitions
from cnncalc.render.conventions import TIE_RULES

# Names the program itself uses: a layer called so (a pipeline's `name: window`) gets another.
RESERVED = {"np", "show", "t", "L", "dy"} | set(FUNCTIONS)


@dataclass
class Writer:
    """The program being written: its lines, the functions they call, and how gradients are named."""

    program: Program
    lines: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def grad(self, var: str) -> str:
        """The variable holding dL/d(var): dx, dw in a layer's program; dL_dconv_1 in a pipeline's."""
        return f"dL_d{var}" if self.program.command == "pipeline" else f"d{var}"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def call(self, function: str) -> str:
        self.used.add(function)
        return function


# --- parameters as the layer holds them -------------------------------------------------------------

@dataclass
class Held:
    """A parameter as the layer takes it: the variable, and how its gradient turns back into the user's."""

    var: str
    back: list[str] = field(default_factory=list)  # lines after the layer's backward


def _reshaped(param: Param) -> bool:
    return tuple(param.value.shape) != tuple(param.layer_shape)


def _hold(out: Writer, param: Param, flip: bool = False) -> Held:
    """`param` reshaped to the layer's shape (and rotated 180° for a true convolution) when needed."""
    if not flip and not _reshaped(param):
        return Held(param.var)
    source = f"{param.var}.reshape{tuple(param.layer_shape)}" if _reshaped(param) else param.var
    grad_back = f".reshape({param.var}.shape)" if _reshaped(param) else ""
    if flip:
        held = f"{param.var}_rotated"
        out.add("# true convolution = cross-correlation with the kernel rotated 180° (flipped on both axes)",
                f"{held} = np.flip({source}, axis=(2, 3))")
        return Held(held, [f"{out.grad(param.var)} = np.flip({out.grad(held)}, axis=(2, 3)){grad_back}"
                           "  # rotated back"])
    held = f"{param.var}_layer"
    out.add(f"{held} = {source}  # as the layer holds it")
    return Held(held, [f"{out.grad(param.var)} = {out.grad(held)}{grad_back}"])


def _held_params(out: Writer, step: Step, flip: bool = False) -> tuple[Held, Held | None]:
    weight = _hold(out, step.params["weight"], flip)
    bias = _hold(out, step.params["bias"]) if "bias" in step.params else None
    return weight, bias


# --- each layer: its forward lines now, its backward lines for later -------------------------------

def _padding_comment(layer, geom) -> list[str]:
    (top, bottom), (left, right) = geom.padding
    sides = f"top {top}, bottom {bottom}, left {left}, right {right}"
    if layer.anchor is not None:
        anchor = tuple(layer.anchor) if isinstance(layer.anchor, list) else layer.anchor
        return [f"# the anchor {anchor} (the kernel cell over each input position) is padding {sides}"]
    why = {"same": " (output ceil(input / stride); an odd cell of padding goes bottom/right, as TensorFlow)",
           "full": " (dilation·(k − 1) on every side)", "valid": " (none)"}
    if isinstance(layer.padding, str):
        return [f"# padding '{layer.padding}' is {sides}{why.get(layer.padding, '')}"]
    return [] if top == bottom and left == right else [f"# padding differs by side: {sides}"]


def conv(out: Writer, step: Step, source: str) -> list[str]:
    layer, geom = step.layer, step.layer.geometry(step.in_shape)
    weight, bias = _held_params(out, step, flip=layer.mode == "convolution")
    options = (f"stride={geom.stride}, padding={geom.padding}, dilation={geom.dilation}, "
               f"groups={layer.groups}")
    out.add(*_padding_comment(layer, geom),
            f"{step.var} = {out.call('conv2d')}({source}, {weight.var}, {bias.var if bias else None}, {options})")
    grads = f"{out.grad(source)}, {out.grad(weight.var)}, {out.grad(bias.var) if bias else '_'}"
    return ([f"{grads} = {out.call('conv2d_backward')}({out.grad(step.var)}, {source}, {weight.var}, {options})"]
            + weight.back + (bias.back if bias else []))


def pool(out: Writer, step: Step, source: str) -> list[str]:
    layer, geom = step.layer, step.layer.geometry(step.in_shape)
    where = f"kernel={geom.kernel_hw}, stride={geom.stride}, padding={geom.padding}"
    if layer.kind == "avg":
        options = f"{where}, ceil_mode={geom.ceil_mode}, count_include_pad={layer.count_include_pad}"
        out.add(f"{step.var} = {out.call('avg_pool2d')}({source}, {options})")
        return [f"{out.grad(source)} = {out.call('avg_pool2d_backward')}({out.grad(step.var)}, {source}, {options})"]
    options = f"{where}, dilation={geom.dilation}, ceil_mode={geom.ceil_mode}"
    rule = TIE_RULES[layer.ties] + ("" if layer.ties == "first" else " (PyTorch has no such rule)")
    out.add(f"# max pooling; ties: {layer.ties}: {rule}",
            f"{step.var} = {out.call('max_pool2d')}({source}, {options})")
    return [f"{out.grad(source)} = {out.call('max_pool2d_backward')}({out.grad(step.var)}, {source}, {step.var}, "
            f"{options}, ties={layer.ties!r})"]


def fc(out: Writer, step: Step, source: str) -> list[str]:
    weight, bias = _held_params(out, step)
    flat, back = source, []
    if len(step.in_shape) != 2:
        flat = f"{step.var}_in"
        out.add(f"{flat} = {source}.reshape({step.in_shape[0]}, -1)  # each sample flattened in C order")
        back = [f"{out.grad(source)} = {out.grad(flat)}.reshape({source}.shape)"]
    plus = f" + {bias.var}" if bias else ""
    dy, w = out.grad(step.var), weight.var
    if step.layer.layout == "in-out":
        out.add(f"{step.var} = {flat} @ {w}{plus}  # {w} is (in, out) (in-out layout): y = x·W{plus and ' + b'}")
        lines = [f"{out.grad(flat)} = {dy} @ {w}.T", f"{out.grad(w)} = {flat}.T @ {dy}  # (in, out), like {w}"]
    else:
        out.add(f"{step.var} = {flat} @ {w}.T{plus}  # {w} is (out, in): y = W·x{plus and ' + b'} "
                "for each sample (a row)")
        lines = [f"{out.grad(flat)} = {dy} @ {w}", f"{out.grad(w)} = {dy}.T @ {flat}  # (out, in), like {w}"]
    if bias:
        lines.append(f"{out.grad(bias.var)} = {dy}.sum(axis=0)  # each bias is added to every sample's output")
    return lines + back + weight.back + (bias.back if bias else [])


def activation(out: Writer, step: Step, source: str) -> list[str]:
    v, x, dy, dx = step.var, source, out.grad(step.var), out.grad(source)
    kind, slope = step.layer.kind, step.layer.slope
    forward, backward = {
        "relu": (f"np.maximum({x}, 0.0)", f"np.where({x} > 0, {dy}, 0.0)  # the gradient at exactly 0 is 0"),
        "leaky_relu": (f"np.where({x} > 0, {x}, {x} * {slope!r})  # slope {slope!r} below 0",
                       f"np.where({x} > 0, {dy}, {dy} * {slope!r})  # at exactly 0 the slope, as PyTorch"),
        "sigmoid": (f"1 / (1 + np.exp(-{x}))", f"{dy} * (1 - {v}) * {v}  # σ' = σ·(1 − σ), from the output"),
        "tanh": (f"np.tanh({x})", f"{dy} * (1 - {v} * {v})  # tanh' = 1 − tanh², from the output"),
    }[kind]
    out.add(f"{v} = {forward}")
    return [f"{dx} = {backward}"]


def softmax(out: Writer, step: Step, source: str) -> list[str]:
    v, dp = step.var, out.grad(step.var)
    out.add(f"{step.var} = {out.call('softmax')}({source})")
    return [f"{out.grad(source)} = {v} * ({dp} - ({dp} * {v}).sum(axis=1, keepdims=True))"
            "  # (diag(p) − p·pᵀ)·dL/dp, row by row"]


def flatten(out: Writer, step: Step, source: str) -> list[str]:
    out.add(f"{step.var} = {source}.reshape({step.in_shape[0]}, -1)  # (N, C·H·W), in C order")
    return [f"{out.grad(source)} = {out.grad(step.var)}.reshape({source}.shape)"]


LAYERS = {"Conv": conv, "Pool": pool, "Fc": fc, "Flatten": flatten, "Softmax": softmax, "Activation": activation}


def layer_code(out: Writer, step: Step, source: str) -> list[str]:
    """Writes the forward of `step` (reading `source`) and returns its backward lines, which turn
    the gradient of its output into those of `source` and of its parameters."""
    return LAYERS[type(step.layer).__name__](out, step, source)


# --- the whole program --------------------------------------------------------------------------------

def _inputs(out: Writer) -> None:
    program = out.program
    out.add("# the inputs", f"{program.x.var} = np.array({literal(program.x.value)})")
    for step in program.steps:
        for param in step.params.values():
            note = "  # one bias per filter" if program.command == "conv" and param.var == "b" else ""
            out.add(f"{param.var} = np.array({literal(param.value)}){note}")
    if program.start == "dy":
        out.add(f"dy = np.array({literal(program.upstream)})  # the gradient arriving at y")
    elif program.start:
        what = ("one probability row per sample (one-hot for a class index)" if program.start == "cross_entropy"
                else "shaped like the output")
        out.add(f"t = np.array({literal(program.upstream)})  # the target: {what}")


def _forward(out: Writer) -> tuple[str, list]:
    """Writes the forward pass; returns the last output's variable and, per step, (step, its input's
    variable, its backward lines)."""
    x = out.program.x
    source = x.var
    out.add("", "# forward")
    if _reshaped(x):
        source = f"{x.var}_batch"
        out.add(f"{source} = {x.var}.reshape{tuple(x.layer_shape)}  # batch-first, as the layers take it")
    backward = []
    for step in out.program.steps:
        backward.append((step, source, layer_code(out, step, source)))
        source = step.var
    return source, backward


def _mse(out: Writer, y: str) -> None:
    dy = out.grad(y)
    out.add(*{
        "half_sum": [f"L = 0.5 * np.sum(({y} - t) ** 2)  # L = ½·Σ(y − t)², the textbook form "
                     "(PyTorch's has no ½)",
                     f"{dy} = {y} - t"],
        "sum": [f"L = np.sum(({y} - t) ** 2)  # L = Σ(y − t)²", f"{dy} = 2 * ({y} - t)"],
        "mean": [f"L = np.sum(({y} - t) ** 2) / {y}.size  # L = mean of (y − t)², as PyTorch's MSELoss",
                 f"{dy} = 2 * ({y} - t) / {y}.size"],
    }[out.program.reduction])


def _cross_entropy(out: Writer, last: str, softmax_input: str | None) -> None:
    """L from the logits (log-softmax, never ln 0). With softmax as the last layer (`softmax_input`
    its logits) both dL/dp and dL/dz, dz straight from the logits: p − t is exact where −t/p is not."""
    mean = " / len(t)" if out.program.reduction == "mean" else ""
    logits = softmax_input or last
    out.add(f"# cross-entropy of the logits {logits}: L = −Σ t·ln softmax({logits})"
            + (", divided by the N rows (reduction 'mean')" if mean else " (reduction 'sum')"),
            f"L = -np.sum(t * {out.call('log_softmax')}({logits})){mean}")
    if softmax_input:
        out.add("# dL/dp = −t/p (0 where t = 0)",
                f"{out.grad(last)} = np.divide(-t, {last}, out=np.zeros_like(t), where=t > 0){mean}")
    probabilities = last if softmax_input else f"{out.call('softmax')}({logits})"
    gradient = f"{probabilities} * t.sum(axis=1, keepdims=True) - t"
    out.add(f"# dL/d{logits} = p·Σt − t (p − t when each row of t sums to 1)",
            f"{out.grad(logits)} = ({gradient}){mean}" if mean else f"{out.grad(logits)} = {gradient}")


def _start_backward(out: Writer, last: str, backward: list) -> bool:
    """Writes where the backward pass starts (a given dy, or the loss); True when softmax and
    cross-entropy were taken together (the softmax's own backward is then skipped)."""
    program = out.program
    if program.start == "dy":
        out.add(f"y = {last}.reshape{tuple(program.out_shape)}", "", "# backward, from the given dy",
                f"{out.grad(last)} = dy.reshape({last}.shape)")
        return False
    out.add("", "# the loss")
    if program.start == "mse":
        _mse(out, last)
        return False
    fused = bool(backward) and is_layer(backward[-1][0].layer, "Softmax")
    _cross_entropy(out, last, backward[-1][1] if fused else None)
    return fused


def _backward(out: Writer, last: str, backward: list) -> None:
    fused = _start_backward(out, last, backward)
    if out.program.start != "dy" and backward[:len(backward) - fused]:
        out.add("", "# backward, last layer first: dL/d(output) gives dL/d(input) and the parameters' gradients")
    for step, source, lines in reversed(backward[:len(backward) - fused]):
        out.add(*lines)
    x = out.program.x
    if _reshaped(x):
        out.add(f"{out.grad(x.var)} = {out.grad(x.var + '_batch')}.reshape({x.var}.shape)")


def _shows(out: Writer, last: str) -> list[str]:
    """show() of every tensor of the answer, in the shape cnncalc shows it (without the batch axis
    a single sample did not write)."""
    program = out.program
    shown = {step.var: step.shown for step in program.steps if step.shown not in (None, step.out_shape)}

    def as_shown(var: str, value: str) -> str:
        return f"{value}.reshape{shown[var]}" if var in shown else value

    return show_lines(program, last, lambda var: as_shown(var, var), lambda var: as_shown(var, out.grad(var)))


def numpy_code(program: Program) -> str:
    """The whole program as plain NumPy, runnable as printed (inputs inlined; numpy its only import)."""
    out = Writer(unclashed(program, RESERVED))
    program = out.program
    _inputs(out)
    last, backward = _forward(out)
    if program.start:
        _backward(out, last, backward)
    if last == "y_batch":
        if not program.start:
            out.add(f"y = {last}.reshape{tuple(program.out_shape)}")
        last = "y"
    body = "\n".join(out.lines + [""] + _shows(out, last))
    return f"import numpy as np\n\n\n{definitions(out.used)}\n\n{body}\n"
