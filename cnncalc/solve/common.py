"""Small pieces every solver shares: display names, shape and padding wording."""

from __future__ import annotations

import numpy as np

from cnncalc.core.geometry import WindowGeometry
from cnncalc.errors import CnnError, did_you_mean, shape_text  # noqa: F401 (shape_text: the solvers import it from here)
from cnncalc.inputs import fields
from cnncalc.inputs.problem import Problem
from cnncalc.naming import LAYER_GRADIENTS, Naming
from cnncalc.vocabulary import AXIS_WORDS



def check_names(problem: Problem, canonical, gradients: dict | None = None) -> Naming:
    """The user's notation: display names, each for a name this command has, and the index base."""
    names = problem.read("names", fields.read_names, {})
    for key in names:
        if key not in canonical:
            raise problem.locate(CnnError(f"names.{key}", f"names among {', '.join(canonical)}", f"'{key}'",
                                          hint=did_you_mean(key, canonical)))
    naming = Naming(names, LAYER_GRADIENTS if gradients is None else gradients, problem.index_base)
    try:
        naming.check_distinct(canonical)
    except CnnError as error:
        raise problem.locate(error) from None
    return naming


def read_array(problem: Problem, key: str, shape: tuple | None = None):
    """The array for `key` (values, a fill or random values), or None when absent."""
    from cnncalc.inputs.tensors import materialize

    if not problem.has(key):
        return None
    spec = problem.tensor(key)
    try:
        return materialize(spec, key, shape, problem.max_elements)
    except CnnError as error:
        raise problem.locate(error) from None


def note_no_upstream(result, gradients: str) -> None:
    """Say why there are no gradients, and how to ask for them."""
    result.notes.append(f"no upstream gradient dy was given, so {gradients} were not computed; give --dy "
                        "(or dy: in the file), e.g. --dy '{fill: 1}' for dL/dy = 1 everywhere")


def bias_from(problem: Problem, spec, outputs: int | None):
    """The bias spec as an array: a fill or random values without a shape get one per output."""
    from cnncalc.inputs.tensors import materialize

    if spec is None:
        return None
    try:
        return materialize(spec, "b", None if isinstance(spec, np.ndarray) else (outputs,), problem.max_elements)
    except CnnError as error:
        raise problem.locate(error) from None


def kink_warning(kind: str, x, where: str) -> list[str]:
    """A warning when entries of x sit exactly on relu's or leaky_relu's kink at 0."""
    from cnncalc.core.activations import KINKED, on_kink

    kinks = int(on_kink(kind, x).sum()) if kind in KINKED else 0
    if not kinks:
        return []
    slope = "0" if kind == "relu" else "the slope a"
    return [f"{where}{kinks} entr{'y of x sits' if kinks == 1 else 'ies of x sit'} exactly on the kink at 0; "
            f"cnncalc uses {slope} as the derivative there (PyTorch's choice); hand answers often use 1 or ½"]


def require(problem: Problem, *keys: str, what: str = "a tensor") -> None:
    for key in keys:
        if not problem.has(key):
            raise problem.locate(CnnError(key, f"{what} (in the problem file or as an option)", "nothing"))


def read_upstream(problem: Problem, y_shape: tuple, key: str = "dy", also: tuple | None = None):
    """The upstream gradient, shaped like y (a fill takes y's shape); None when absent."""
    dy = read_array(problem, key, y_shape)
    if dy is not None and dy.shape != tuple(y_shape) and dy.shape != also:
        raise problem.locate(CnnError(key, f"the shape of y, {shape_text(y_shape)}", shape_text(dy.shape)))
    return dy


def check_window_sizes(geom: WindowGeometry, lead: tuple, out_channels: int, max_elements: int) -> None:
    """Refuse, before allocating, a padded input or an output past the element cap."""
    from cnncalc.inputs.tensors import check_size

    import math

    from cnncalc.inputs.budget import check_memory

    padded, y = tuple(lead) + geom.read_extent_hw(), (lead[0], out_channels) + geom.out_hw
    check_size(padded, "padding", max_elements)
    check_size(y, "y", max_elements)
    check_memory(math.prod(padded) + 3 * math.prod(y), "y", "the padded input, y, dy and the work on them")


def check_windows_meet_input(geom: WindowGeometry) -> None:
    """Refuse a pool whose window, dilated, lies wholly in the padding somewhere: its max would be
    −∞ with an argmax outside x (PyTorch gives −inf and index past the input, then fails in backward)."""
    import numpy as np

    for axis, (n, k, s, d, (before, _)) in enumerate(zip(geom.in_hw, geom.kernel_hw, geom.stride, geom.dilation,
                                                         geom.padding)):
        starts = np.arange(geom.out_hw[axis]) * s - before
        taps = starts[:, None] + d * np.arange(k)[None, :]
        empty = np.flatnonzero(~((taps >= 0) & (taps < n)).any(axis=1))
        if empty.size:
            position = int(empty[0]) + 1
            raise CnnError("dilation", "windows that each cover at least one input cell",
                           f"window {position} along the {AXIS_WORDS[axis]} reads padding only ({AXIS_WORDS[axis]} "
                           f"{', '.join(str(int(t)) for t in taps[empty[0]])}, counted from 0, of an input of {n})",
                           hint="lower the dilation or the padding")
