"""Options several commands share, declared once; a command adapts one with `.but(...)`."""

from __future__ import annotations

from cnncalc.layers.spec import Option
from cnncalc.vocabulary import CONV_MODES, FC_LAYOUTS, POOL_TIES

UPSTREAM = Option("dy", "tensor", "Upstream gradient dL/dy, the shape of y ('{fill: 1}' for ones); without it no gradients are computed.",
                  flag="--dy", shown_default="none")
STRIDE = Option("stride", "pair", "Stride: an int or a pair 'rows,cols'.", default=1, minimum=1, torch="stride",
                pipeline="stride")
DILATION = Option("dilation", "pair", "Dilation: an int or a pair.", default=1, minimum=1, torch="dilation",
                  pipeline="dilation")
WINDOW = Option("kernel_size", "pair", "Window size: an int or a pair 'rows,cols'.", minimum=1, torch="kernel_size",
                pipeline="kernel_size")
MODE = Option("mode", "choice", "correlation (what frameworks compute; cross_correlation accepted) or convolution (the kernel rotated 180°).",
              default="correlation", choices=CONV_MODES,
              aliases={"cross_correlation": "correlation", "xcorr": "correlation", "conv": "convolution"},
              pipeline="mode")
ANCHOR = Option("anchor", "pair", "The kernel cell placed over each input position, 'row,col' (a kernel "
                                  "centre; sugar for asymmetric padding, instead of --padding).", shown_default="none", minimum=0, pipeline="anchor")
GROUPS = Option("groups", "int", "Channel groups (channels per group = C/groups; groups = C is a depthwise conv).", default=1, minimum=1,
                torch="groups", pipeline="groups")
CONV_PADDING = Option("padding", "padding", "Padding: an int, 'rows,cols', '[[top,bottom],[left,right]]', valid, "
                                            "same (output = ceil(input/stride), the extra on the bottom/right, as "
                                            "TensorFlow) or full (d·(k−1) on each side).", default=0, torch="padding",
                      pipeline="padding", shown_default="valid")
CEIL_MODE = Option("ceil_mode", "bool", "true rounds the output size up (PyTorch's ceil_mode).", default=False,
                   torch="ceil_mode", pipeline="ceil_mode")
WEIGHT_LAYOUT = Option("weight_layout", "choice", "out-in (W is (out, in), y = W·x, as PyTorch's nn.Linear) or "
                                                  "in-out (W is (in, out), y = x·W).",
                       default="out-in", choices=FC_LAYOUTS,
                       aliases={"out_in": "out-in", "in_out": "in-out"}, pipeline="weight_layout")
TIES = Option("ties", "choice", "Max-pool ties: first (the first max in row-major window order gets dy, as "
                                "PyTorch), split (shared equally) or all (each tied max gets the full dy).", default="first", choices=POOL_TIES,
              pipeline="ties", layers=("maxpool",))
