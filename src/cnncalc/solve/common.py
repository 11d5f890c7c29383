"""Small pieces every solver shares: display names, shape and padding wording."""

from __future__ import annotations

from cnncalc.core.geometry import WindowGeometry
from cnncalc.errors import CnnError, did_you_mean
from cnncalc.inputs import fields
from cnncalc.inputs.problem import Problem


def shape_text(shape) -> str:
    return "×".join(str(n) for n in shape) if len(shape) else "a scalar"


def check_names(problem: Problem, canonical: tuple[str, ...]) -> dict[str, str]:
    """The user's display names, each for a name this command has."""
    names = problem.read("names", fields.read_names, {})
    for key in names:
        if key not in canonical:
            raise problem.locate(CnnError("names", f"names among {', '.join(canonical)}", f"'{key}'",
                                          hint=did_you_mean(key, canonical)))
    return names


def describe_padding(given, anchor, geom: WindowGeometry) -> str:
    (top, bottom), (left, right) = geom.padding
    numbers = f"top {top}, bottom {bottom}, left {left}, right {right}"
    if anchor is not None:
        return f"from kernel anchor {anchor}: {numbers}"
    if given == "same":
        return f"same (TensorFlow rule: output = ceil(input/stride), extra on bottom/right): {numbers}"
    if given == "full":
        return f"full (d·(k−1) on each side): {numbers}"
    if given in (0, "valid", None):
        return "valid (none)"
    return numbers
