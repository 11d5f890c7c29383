"""The pool command and the pipeline's maxpool and avgpool layers: their options, declared once."""

from __future__ import annotations

from cnncalc.layers import common
from cnncalc.layers.spec import CommandSpec, Option
from cnncalc.vocabulary import POOL_KINDS


def _solver():
    from cnncalc.solve import pool

    return pool


SPEC = CommandSpec(
    name="pool",
    help="Max or average pooling: y and the argmax of every window; dx from dy.",
    example="cnncalc pool -x '1 0 2 3; 4 6 6 8; 3 1 1 0; 1 2 2 4' --kernel-size 2 --dy '{fill: 1}'",
    options=(
        Option("x", "tensor", "Input x: (H,W), (C,H,W) or (N,C,H,W).", flag="-x", torch="input"),
        common.UPSTREAM,
        Option("kind", "choice", "max or avg.", default="max", choices=POOL_KINDS,
               aliases={"average": "avg", "maximum": "max", "maxpool": "max", "avgpool": "avg"}),
        common.WINDOW,
        common.STRIDE.but(help="Stride: an int or a pair.", default=None,
                          shown_default="the window size"),
        Option("padding", "pair", "Padding: an int or a pair, at most half the window (PyTorch's limit); max pads with −∞, avg with 0.", default=0,
               torch="padding", pipeline="padding"),
        common.DILATION.but(help="Dilation (max only): an int or a pair.", layers=("maxpool",)),
        common.CEIL_MODE,
        Option("count_include_pad", "bool", "avg: padded cells count in the divisor (true, PyTorch's default) "
                                            "or not (false).", default=True, torch="count_include_pad",
               pipeline="count_include_pad", layers=("avgpool",)),
        common.TIES,
    ),
    names=("x", "y", "dy", "dx", "L"),
    solver=_solver,
    layer_types=("maxpool", "avgpool"),
    type_aliases={"max_pool": "maxpool", "avg_pool": "avgpool", "maxpool2d": "maxpool", "avgpool2d": "avgpool"},
)
