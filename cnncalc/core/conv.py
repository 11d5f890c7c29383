"""2-D convolution layer, forward and backward, NCHW as in PyTorch.

Shapes: x (N, C, H, W), w (O, C/groups, kH, kW), b (O,) or None, y (N, O, Ho, Wo).

  correlation:  y[n,o,i,j] = b[o] + Σ_{c,a,e} x_pad[n, g·C/G + c, i·s + a·d, j·s + e·d] · w[o,c,a,e]
  convolution:  the same with w rotated 180° (w[o, c, kH−1−a, kW−1−e]).

Three ways to the same sums, chosen by size (`method="auto"`):
  im2col   every window of the batch gathered by one cached index array, one matrix product
           each way, one bincount for dx: the fewest NumPy calls, for homework sizes
           (conv_gather.py).
  windows  windows gathered per chunk of images from a strided view, one matrix product
           with inner dimension C/G·kH·kW, col2im for dx; the batch split over threads
           (conv_windows.py). Scratch: about one image's windows per thread.
  offsets  one kernel offset at a time: memory stays near the size of x, for single images
           too large to gather (conv_offsets.py).
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass

import numpy as np

from cnncalc.core.geometry import WindowGeometry
from cnncalc.errors import CnnError, did_you_mean, shape_text
from cnncalc.vocabulary import CONV_MODES

METHODS = ("auto", "im2col", "windows", "rows", "offsets")
IM2COL_MAX_ENTRIES = 12_000  # gathered window entries of the batch: below, call overhead rules


@dataclass(frozen=True)
class ConvGradients:
    dx: np.ndarray
    dw: np.ndarray
    db: np.ndarray | None


def check_channels(x_shape: tuple, w_shape: tuple, groups: int, kernel_field: str = "w") -> None:
    """Refuse a kernel w (O, C/groups, kH, kW) that does not fit x (N, C, H, W) in `groups` groups:
    groups must divide both C and O, and each filter must read C/groups channels."""
    channels, filters = x_shape[1], w_shape[0]
    if channels % groups or filters % groups:
        raise CnnError("groups", f"a divisor of both the input channels ({channels}) and filters ({filters})",
                       str(groups))
    if w_shape[1] != channels // groups:
        raise CnnError(kernel_field, f"{channels // groups} input channel(s) per filter (the input has {channels}, "
                       f"groups {groups})", f"{w_shape[1]} (the kernel is {shape_text(w_shape)})")


def _check_mode(mode: str) -> None:
    if mode not in CONV_MODES:  # else a misspelt 'convolution' would quietly compute correlation
        raise CnnError("mode", "one of " + ", ".join(CONV_MODES), repr(mode), did_you_mean(mode, CONV_MODES))


def _oriented(w: np.ndarray, mode: str) -> np.ndarray:
    """The kernel as it slides: rotated 180° in convolution mode."""
    return w[..., ::-1, ::-1] if mode == "convolution" else w


def choose_method(x_shape: tuple, w_shape: tuple, geom: WindowGeometry, method: str = "auto") -> str:
    """The method `auto` picks for x (N, C, H, W) and w (O, C/G, kH, kW): im2col for small
    problems; while one image's windows per thread stay within the problem's own x and y
    twice over, rows at stride 1 where its extra columns cost little (one filter per group,
    or padded rows at most 5% longer than the output's), else windows; offsets beyond (memory).
    ("rows" asked for at another stride means windows.)"""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if method == "rows" and geom.stride != (1, 1):
        return "windows"  # whole rows line windows up only at stride 1
    if method != "auto":
        return method
    n, c = x_shape[:2]
    per_image = c * w_shape[2] * w_shape[3] * geom.out_hw[0] * geom.out_hw[1]
    if n * per_image <= IM2COL_MAX_ENTRIES:
        return "im2col"
    from cnncalc.core.parallel import thread_count  # past homework sizes only (start-up)

    image_entries = c * x_shape[2] * x_shape[3] + w_shape[0] * geom.out_hw[0] * geom.out_hw[1]
    if min(n, thread_count()) * per_image > 2 * n * image_entries:
        return "offsets"
    one_filter = w_shape[0] * w_shape[1] == c  # O/G = 1
    cheap_rows = one_filter or 100 * geom.read_extent_hw()[1] <= 105 * geom.out_hw[1]
    return "rows" if geom.stride == (1, 1) and cheap_rows else "windows"


# Each method's module and its two functions, imported when the method is first chosen:
# a homework-size run (every command-line example) needs only the gather.
_METHODS = {"im2col": ("conv_gather", "forward_gather", "backward_gather"),
            "windows": ("conv_windows", "forward_windows", "backward_windows"),
            "rows": ("conv_rows", "forward_rows", "backward_rows"),
            "offsets": ("conv_offsets", "forward_offsets", "backward_offsets")}


@functools.cache  # a homework-size pass takes ~13 µs: the import machinery is looked up once
def _method(chosen: str, direction: str):
    module, forward, backward = _METHODS[chosen]
    functions = importlib.import_module(f"cnncalc.core.{module}")
    return getattr(functions, forward if direction == "forward" else backward)


def _grouped_kernel(w: np.ndarray, mode: str, groups: int) -> np.ndarray:
    """The oriented kernel as (G, O/G, C/G·kH·kW), contiguous."""
    return np.ascontiguousarray(_oriented(w, mode)).reshape(groups, w.shape[0] // groups, -1)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: WindowGeometry,
                   groups: int = 1, mode: str = "correlation", method: str = "auto") -> np.ndarray:
    """y (N, O, Ho, Wo) from x (N, C, H, W), w (O, C/groups, kH, kW), b (O,) or None."""
    _check_mode(mode)
    chosen = choose_method(x.shape, w.shape, geom, method)
    kernel = _oriented(w, mode) if chosen == "offsets" else _grouped_kernel(w, mode, groups)
    return _method(chosen, "forward")(x, kernel, b, geom, groups)


def conv2d_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray, geom: WindowGeometry, groups: int = 1,
                    mode: str = "correlation", has_bias: bool = True, method: str = "auto") -> ConvGradients:
    """dx (N, C, H, W), dw (O, C/groups, kH, kW), db (O,) from dy (N, O, Ho, Wo).

      dw[o,c,a,e] = Σ_{n,i,j} dy[n,o,i,j] · x_pad[n, c, i·s + a·d, j·s + e·d]
      dx_pad[n,c,i·s + a·d, j·s + e·d] += Σ_o dy[n,o,i,j] · w[o,c,a,e]
      db[o] = Σ_{n,i,j} dy[n,o,i,j]
    (w rotated 180° in convolution mode, and dw rotated back.)
    """
    _check_mode(mode)
    chosen = choose_method(x.shape, w.shape, geom, method)
    kernel = _oriented(w, mode) if chosen == "offsets" else _grouped_kernel(w, mode, groups)
    dx, dw = _method(chosen, "backward")(dy, x, kernel, geom, groups)
    dw = _oriented(dw.reshape(w.shape), mode)
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    return ConvGradients(np.ascontiguousarray(dx), np.ascontiguousarray(dw), db)
