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
        Option("kernel", "shape", "Kernel or window shape, e.g. 3x3 (or Cout x Cin x kH x kW for conv)."),
        Option("op", "choice", "conv or pool [default conv]; pool's stride defaults to its window.",
               default="conv", choices=("conv", "pool")),
        common.STRIDE, common.CONV_PADDING.but(help=common.CONV_PADDING.help + " (pool: int or pair)"),
        common.DILATION, common.ANCHOR, common.GROUPS, common.MODE,
        common.CEIL_MODE.but(help="Pool only: true to round the output size up (PyTorch ceil_mode)."),
    ),
    solver=_solver,
)
