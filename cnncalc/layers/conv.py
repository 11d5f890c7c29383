"""The conv command and the pipeline's conv layer: their options, declared once."""

from __future__ import annotations

from cnncalc.layers import common
from cnncalc.layers.spec import CommandSpec, Option


def _solver():
    from cnncalc.solve import conv

    return conv


SPEC = CommandSpec(
    name="conv",
    help="2-D convolution layer: y from x, w, b; dx, dw, db from dy.",
    example="cnncalc conv -x '1 2 3; 4 5 6; 7 8 9' -w '1; 2' --dy '{fill: 1}'",
    options=(
        Option("x", "tensor", "Input x: (H,W), (C,H,W) or (N,C,H,W).", flag="-x", torch="input"),
        Option("w", "tensor", "Kernel w: (kH,kW), (Cin,kH,kW) or (Cout,Cin/groups,kH,kW).", flag="-w",
               torch="weight", pipeline="weight"),
        Option("b", "tensor", "Bias: a number (the same for every filter) or one per filter.", flag="-b", torch="bias", pipeline="bias",
               shown_default="none"),
        common.UPSTREAM,
        common.STRIDE, common.CONV_PADDING, common.DILATION, common.GROUPS, common.MODE, common.ANCHOR,
        Option("out_channels", "int", "Number of filters, when the weight is a number or a fill.", minimum=1,
               torch="out_channels", command=False, pipeline="out_channels"),
        common.WINDOW.but(name="kernel_size", help="Kernel size, when the weight is a number or a fill.",
                          command=False),
    ),
    names=("x", "w", "b", "y", "dy", "dx", "dw", "db", "L"),
    solver=_solver,
    layer_types=("conv",),
    type_aliases={"conv2d": "conv"},
)
