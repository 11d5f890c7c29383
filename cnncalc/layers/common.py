"""Options several commands share, declared once; a command adapts one with `.but(...)`."""

from __future__ import annotations

from cnncalc.layers.spec import Option

UPSTREAM = Option("dy", "tensor", "Upstream gradient dL/dy (shape of y; {fill: 1} for ones).", flag="--dy")
STRIDE = Option("stride", "pair", "Stride: int or pair 'rows,cols' [default 1].", default=1, minimum=1, torch="stride",
                pipeline="stride")
DILATION = Option("dilation", "pair", "Dilation: int or pair [default 1].", default=1, minimum=1, torch="dilation",
                  pipeline="dilation")
WINDOW = Option("kernel_size", "pair", "Window size: int or pair 'rows,cols'.", minimum=1, torch="kernel_size",
                pipeline="kernel_size")
MODE = Option("mode", "choice", "correlation (as frameworks) or convolution (kernel rotated 180°).",
              default="correlation", choices=("correlation", "convolution"),
              aliases={"cross_correlation": "correlation", "xcorr": "correlation", "conv": "convolution"},
              pipeline="mode")
ANCHOR = Option("anchor", "pair", "Kernel cell placed over each input position, 'row,col' (asymmetric "
                                  "padding; instead of --padding).", minimum=0, pipeline="anchor")
GROUPS = Option("groups", "int", "Groups (channels per group = C/groups) [default 1].", default=1, minimum=1,
                torch="groups", pipeline="groups")
CONV_PADDING = Option("padding", "padding", "Padding: int, 'rows,cols', '[[top,bottom],[left,right]]', valid, "
                                            "same or full [default valid].", default=0, torch="padding",
                      pipeline="padding")
CEIL_MODE = Option("ceil_mode", "bool", "true to round the output size up (PyTorch ceil_mode).", default=False,
                   torch="ceil_mode", pipeline="ceil_mode")
WEIGHT_LAYOUT = Option("weight_layout", "choice", "out-in (W is (out, in), y = W·x, as PyTorch) or in-out "
                                                  "(W is (in, out), y = x·W) [default out-in].",
                       default="out-in", choices=("out-in", "in-out"),
                       aliases={"out_in": "out-in", "in_out": "in-out"}, pipeline="weight_layout")
TIES = Option("ties", "choice", "max: first (PyTorch), split (shared equally) or all (each tied max gets the "
                                "full gradient).", default="first", choices=("first", "split", "all"),
              pipeline="ties", layers=("maxpool",))
