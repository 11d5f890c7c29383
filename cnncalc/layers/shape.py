"""The shape command: output sizes from shapes alone. Its options, declared once."""

from __future__ import annotations

from cnncalc.layers import common
from cnncalc.layers.spec import CommandSpec, Option


def _solver():
    from cnncalc.solve import shape

    return shape


SPEC = CommandSpec(
    name="shape",
    help="Output size of a conv or pool from shapes alone, with the formula and your numbers.",
    example="cnncalc shape --input 5x5 --kernel 3x3 --stride 2 --padding 1",
    options=(
        Option("input", "shape", "Input shape, e.g. 28x28, 3x32x32 or 8x3x32x32."),
        Option("kernel", "shape", "Kernel or window shape: 3x3, or 16x3x5x5 for a conv with 16 output channels."),
        Option("op", "choice", "conv or pool (pool's stride defaults to its window).",
               default="conv", choices=("conv", "pool")),
        common.STRIDE, common.CONV_PADDING.but(help=common.CONV_PADDING.help + " Pool: an int or a pair."),
        common.DILATION, common.ANCHOR, common.GROUPS, common.MODE,
        common.CEIL_MODE.but(help="Pool only: true rounds the output size up (PyTorch's ceil_mode)."),
    ),
    solver=_solver,
)
