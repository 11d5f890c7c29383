"""Shapes alone (-x 3x3): a symbolic problem is solved on placeholder numbers, whose values
are never shown. The explanation is built from the term maps, which depend on shapes only;
then every numeric tensor is dropped from the result.
"""

from __future__ import annotations

from cnncalc.inputs.literals import is_shape_text, parse_shape



def _is_shape(raw) -> bool:
    return isinstance(raw, str) and not raw.strip().startswith("{") and is_shape_text(raw)


def use_placeholders(problem, spec, symbolic: bool) -> bool:
    """Replace tensors given as shapes by placeholder fills; True when there were any.

    With --symbolic and no dy, dy is a placeholder too, so every gradient has its formula.
    """
    if not symbolic:
        return False  # a shape alone without --symbolic is refused where it is read, with a hint
    tensors = [option.name for option in spec.options if option.kind == "tensor" and option.command]
    shaped = [name for name in tensors if problem.has(name) and _is_shape(problem.values[name])]
    for name in shaped:
        problem.values[name] = {"fill": 1, "shape": list(parse_shape(problem.values[name]))}
    if "dy" in tensors and not problem.has("dy"):
        problem.values["dy"] = {"fill": 1}
        problem.from_options.add("dy")
    return bool(shaped)


def drop_numbers(result) -> None:
    """Keep the parameters, conventions and explanation; drop the placeholder numbers."""
    for section in (result.inputs, result.forward, result.backward, result.extras, result.positions):
        section.clear()
    result.notes = [note for note in result.notes if "no upstream gradient" not in note]
    result.notes.append("symbolic: the inputs were given as shapes, so the results are formulas")
