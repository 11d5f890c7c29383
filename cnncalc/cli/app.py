"""The command line: each command gathers its options and hands them to `run`."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from cnncalc import __version__
from cnncalc.cli import options as opt
from cnncalc.cli.run import run  # light: the heavy imports happen inside run()

COMMANDS: dict[str, tuple] = {}  # name → (function, example, shared options), in --help order


def command(example: str, shared: tuple[str, ...]):
    """Register a command, the example ending its --help, and the shared options it takes."""
    def register(function):
        COMMANDS[function.__name__] = (function, example, shared)
        return function
    return register


def build_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every command, or with `only` one: Typer converts the signature
    of each command it holds on every run, so a run builds just the command it needs."""
    application = typer.Typer(**APP_SETTINGS)
    application.callback()(_root)
    for name, (function, example, shared) in COMMANDS.items():
        if only in (None, name):
            application.command(epilog=f"Example: {example}")(opt.with_shared_options(function, shared))
    return application


APP_SETTINGS = dict(
    name="cnncalc",
    help="Forward and backward passes of CNN layers, every intermediate and gradient, checked against PyTorch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain help: typer's rich help imports markdown-it and pygments (+115 ms)
)


def _version(value: bool) -> None:
    if value:
        print(f"cnncalc {__version__}")
        raise typer.Exit()


def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Forward and backward passes of CNN layers, worked out and checked."""


X = opt.tensor_option("-x", "Input x: (H,W), (C,H,W) or (N,C,H,W).")
W = opt.tensor_option("-w", "Kernel w: (kH,kW), (Cin,kH,kW) or (Cout,Cin/groups,kH,kW).")
B = opt.tensor_option("-b", "Bias: a number or one per filter.")
DY = opt.tensor_option("--dy", "Upstream gradient dL/dy (shape of y; {fill: 1} for ones).")
Stride = opt.text_option("--stride", "Stride: int or pair 'rows,cols' [default 1].")
Padding = opt.text_option("--padding", "Padding: int, 'rows,cols', '[[top,bottom],[left,right]]', "
                                       "valid, same or full [default valid].")
Dilation = opt.text_option("--dilation", "Dilation: int or pair [default 1].")
Groups = opt.text_option("--groups", "Groups (channels per group = C/groups) [default 1].")
Mode = opt.text_option("--mode", "correlation (as frameworks) or convolution (kernel rotated 180°).")
Anchor = opt.text_option("--anchor", "Kernel cell placed over each input position, 'row,col' "
                                     "(asymmetric padding; instead of --padding).")


def _pair_text(text: str | None) -> str | None:
    """'2,1' on the command line means the pair [2, 1]."""
    if text is not None and "," in text and "[" not in text:
        return f"[{text}]"
    return text


@command("cnncalc conv -x '1 2 3; 4 5 6; 7 8 9' -w '1; 2' --dy '{fill: 1}'", shared=opt.TENSOR_OUTPUT)
def conv(
    problem_file: opt.ProblemFile = None,
    x: X = None, w: W = None, b: B = None, dy: DY = None,
    stride: Stride = None, padding: Padding = None, dilation: Dilation = None,
    groups: Groups = None, mode: Mode = None, anchor: Anchor = None,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """2-D convolution layer: y from x, w, b; dx, dw, db from dy."""
    fields = {"x": x, "w": w, "b": b, "dy": dy, "stride": _pair_text(stride),
              "padding": _pair_text(padding), "dilation": _pair_text(dilation), "groups": groups,
              "mode": mode, "anchor": _pair_text(anchor)}
    run("conv", problem_file, fields, output)


PoolKind = opt.text_option("--kind", "max or avg [default max].")
KernelSize = opt.text_option("--kernel-size", "Window size: int or pair 'rows,cols'.")
PoolStride = opt.text_option("--stride", "Stride: int or pair [default: the window size].")
PoolPadding = opt.text_option("--padding", "Padding: int or pair, at most half the window [default 0].")
PoolCeil = opt.text_option("--ceil-mode", "true to round the output size up (PyTorch ceil_mode).")
CountPad = opt.text_option("--count-include-pad", "avg: padded cells count in the divisor (true, "
                                                  "PyTorch's default) or not (false).")
Ties = opt.text_option("--ties", "max: first (PyTorch), split (shared equally) or all (each tied max "
                                 "gets the full gradient).")
DYPool = opt.tensor_option("--dy", "Upstream gradient dL/dy (shape of y; {fill: 1} for ones).")


@command("cnncalc pool -x '1 0 2 3; 4 6 6 8; 3 1 1 0; 1 2 2 4' --kernel-size 2 --dy '{fill: 1}'", shared=opt.TENSOR_OUTPUT)
def pool(
    problem_file: opt.ProblemFile = None,
    x: X = None, dy: DYPool = None, kind: PoolKind = None, kernel_size: KernelSize = None,
    stride: PoolStride = None, padding: PoolPadding = None, dilation: Dilation = None,
    ceil_mode: PoolCeil = None, count_include_pad: CountPad = None, ties: Ties = None,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """Max or average pooling: y and the argmax of every window; dx from dy."""
    fields = {"x": x, "dy": dy, "kind": kind, "kernel_size": _pair_text(kernel_size),
              "stride": _pair_text(stride), "padding": _pair_text(padding), "dilation": _pair_text(dilation),
              "ceil_mode": ceil_mode, "count_include_pad": count_include_pad, "ties": ties}
    run("pool", problem_file, fields, output)


Out = opt.text_option("--out", "Number of outputs, when w is a fill without a shape.")
Layout = opt.text_option("--weight-layout", "out-in (W is (out, in), y = W·x, PyTorch) or in-out "
                                            "(W is (in, out), y = x·W, seed 004) [default out-in].")


@command("cnncalc fc -x '1 2 3' -w '{fill: 1/10}' --out 2 -b '0 1' --dy '1 -1'", shared=opt.TENSOR_OUTPUT)
def fc(
    problem_file: opt.ProblemFile = None,
    x: opt.tensor_option("-x", "Input: a vector (in,), a batch (N, in), or any tensor (flattened).") = None,
    w: opt.tensor_option("-w", "Weights W, or a fill like '{fill: 1/10}' sized from x and --out.") = None,
    b: opt.tensor_option("-b", "Bias, one per output.") = None,
    dy: opt.tensor_option("--dy", "Upstream gradient dL/dy (shape of y).") = None,
    out: Out = None, weight_layout: Layout = None,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """Fully connected layer y = W·x + b; dx, dW, db from dy."""
    fields = {"x": x, "w": w, "b": b, "dy": dy, "out": out, "weight_layout": weight_layout}
    run("fc", problem_file, fields, output)


@command("cnncalc act --kind sigmoid -x '-1 0 2' --dy '1 1 1'", shared=opt.TENSOR_OUTPUT)
def act(
    problem_file: opt.ProblemFile = None,
    kind: opt.text_option("--kind", "relu, leaky_relu, sigmoid or tanh.") = None,
    x: opt.tensor_option("-x", "Input, any shape.") = None,
    dy: opt.tensor_option("--dy", "Upstream gradient dL/dy (shape of x).") = None,
    slope: opt.text_option("--slope", "leaky_relu's slope for x ≤ 0 [default 0.01, as PyTorch].") = None,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """Activation: relu, leaky_relu, sigmoid, tanh; dx from dy."""
    fields = {"x": x, "dy": dy, "kind": kind, "slope": slope}
    run("act", problem_file, fields, output)


@command("cnncalc softmax -z '39.6 39.6 39.6 39.6 39.6' --target 2 --jacobian", shared=opt.TENSOR_OUTPUT)
def softmax(
    problem_file: opt.ProblemFile = None,
    z: opt.tensor_option("-z", "Logits: a vector (K,) or a batch (N, K).") = None,
    target: opt.tensor_option("--target", "Class index (0-based, like PyTorch), one per row of a batch; "
                                          "or one-hot / probability rows.", "-t") = None,
    reduction: opt.text_option("--reduction", "sum or mean (divides by N, the rows) [default sum].") = None,
    jacobian: Annotated[Optional[bool], typer.Option("--jacobian", help="Also print dp/dz = diag(p) − p·pᵀ.",
                                                     rich_help_panel=opt.INPUT, show_default=False)] = None,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """Softmax p from logits z; with a target, cross-entropy L, dL/dp and dL/dz."""
    fields = {"z": z, "target": target, "reduction": reduction, "jacobian": jacobian}
    run("softmax", problem_file, fields, output)


@command("cnncalc loss -y '0.8 0.2' --target '1 0'", shared=opt.TENSOR_OUTPUT)
def loss(
    problem_file: opt.ProblemFile = None,
    y: opt.tensor_option("-y", "Output y, any shape.") = None,
    target: opt.tensor_option("--target", "Target t, the shape of y.", "-t") = None,
    kind: opt.text_option("--kind", "mse (the only loss here; cross-entropy is in 'cnncalc softmax').") = None,
    reduction: opt.text_option("--reduction", "half_sum (½·Σ, textbook; default), sum (Σ) or mean "
                                              "(PyTorch's MSELoss).") = None,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """Mean squared error: L and dL/dy (½·Σ(y − t)² by default)."""
    fields = {"y": y, "target": target, "kind": kind, "reduction": reduction}
    run("loss", problem_file, fields, output)


@command("cnncalc pipeline examples/seed001_homework11.yaml --only fc_1,p,L", shared=opt.TENSOR_OUTPUT)
def pipeline(
    problem_file: opt.ProblemFile = None,
    only: opt.text_option("--only", "Show only these tensors, e.g. conv_1,dL/dconv_1.weight,L.") = None,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """A whole network from a YAML file: every intermediate forward, every gradient backward."""
    run("pipeline", problem_file, {"only": only}, output)


@command("cnncalc examples seed001_homework11 --run", shared=("names", "precision", "index_base", "max_elements"))
def examples(
    name: Annotated[Optional[str], typer.Argument(help="An example's name; without one, list them all.",
                                                  show_default=False)] = None,
    run_it: Annotated[bool, typer.Option("--run", help="Solve the example instead of printing its file.",
                                         rich_help_panel=opt.OUTPUT)] = False,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """List the bundled example problems, print one, or run it."""
    from cnncalc.cli.listing import show_examples

    show_examples(name, run_it, output)


Input = opt.text_option("--input", "Input shape, e.g. 28x28, 3x32x32 or 8x3x32x32.")
Kernel = opt.text_option("--kernel", "Kernel or window shape, e.g. 3x3 (or Cout x Cin x kH x kW for conv).")
Op = opt.text_option("--op", "conv or pool [default conv]; pool's stride defaults to its window.")
CeilMode = opt.text_option("--ceil-mode", "Pool only: true to round the output size up (PyTorch ceil_mode).")


@command("cnncalc shape --input 5x5 --kernel 3x3 --stride 2 --padding 1", shared=())
def shape(
    problem_file: opt.ProblemFile = None,
    input: Input = None, kernel: Kernel = None, op: Op = None,
    stride: Stride = None, padding: Padding = None, dilation: Dilation = None,
    anchor: Anchor = None, groups: Groups = None, mode: Mode = None, ceil_mode: CeilMode = None,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """Output size of a conv or pool from shapes alone, with the formula and your numbers."""
    fields = {"input": input, "kernel": kernel, "op": op, "stride": _pair_text(stride),
              "padding": _pair_text(padding), "dilation": _pair_text(dilation),
              "anchor": _pair_text(anchor), "groups": groups, "mode": mode, "ceil_mode": ceil_mode}
    run("shape", problem_file, fields, output)


app = build_app()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; errors become one line on stderr and exit code 2."""
    from cnncalc.cli.errors import run_guarded

    args = (sys.argv[1:] if argv is None else argv) or ["--help"]
    chosen = next((arg for arg in args if not arg.startswith("-")), None)
    sys.exit(run_guarded(build_app(chosen) if chosen in COMMANDS else app, args))
