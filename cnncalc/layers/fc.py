"""The fc command and the pipeline's fc layer: their options, declared once."""

from __future__ import annotations

from cnncalc.layers import common
from cnncalc.layers.spec import CommandSpec, Option


def _solver():
    from cnncalc.solve import fc

    return fc


SPEC = CommandSpec(
    name="fc",
    help="Fully connected layer y = W·x + b; dx, dW, db from dy.",
    example="cnncalc fc -x '1 2 3' -w '{fill: 1/10}' --out 2 -b '0 1' --dy '1 -1'",
    options=(
        Option("x", "tensor", "Input: a vector (in,), a batch (N, in), or any tensor: (C,H,W) is one sample, (N,C,H,W) N samples, flattened in C order.", flag="-x",
               torch="input"),
        Option("w", "tensor", "Weights W, or a fill like '{fill: 1/10}' that takes its shape from x and the number of outputs.", flag="-w",
               torch="weight", pipeline="weight"),
        Option("b", "tensor", "Bias: one per output, or a number for all.", flag="-b", torch="bias", pipeline="bias",
               shown_default="none"),
        common.UPSTREAM.but(help="Upstream gradient dL/dy (shape of y)."),
        Option("out", "int", "Number of outputs, for a fill without a shape (else taken from b or dy).", minimum=1,
               torch="out_features", pipeline="out"),
        common.WEIGHT_LAYOUT,
    ),
    names=("x", "w", "b", "y", "dy", "dx", "dw", "db", "L"),
    solver=_solver,
    layer_types=("fc",),
    type_aliases={"linear": "fc", "dense": "fc"},
)
