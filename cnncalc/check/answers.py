"""The user's answers under `expect:`, read as written: which name, which entries, what each says.

  expect:
    y: [[8, 1], [3, 6]]                  a whole tensor (a single number: every entry, or a scalar)
    dx: {"1,2": 5, "2,1": -log(0.2)}     single entries, in the file's index base
    dL/dI: {"1,2": "dL/dO_11*W_12 + dL/dO_12*W_11"}   an entry's formula (plain or LaTeX)
    L: 1.609                             decimals keep their written text (0.40 is not 0.4)

One answer is a number (Answer), a formula (its text, parsed later against the problem's
tensors), missing (null) or unreadable (the error, with a caret).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from cnncalc.check.expressions import Answer, parse_answer
from cnncalc.errors import CnnError
from cnncalc.inputs.kept import KeptFloat, KeptInt, decimals_written, flat_items, flat_texts, text_of
from cnncalc.naming import Naming

# A formula names entries (W_12, y_{2,1}), gradients (dL/dO_11) or speaks LaTeX.
_FORMULA_HINT = re.compile(r"[_\\∂δ]|\bd[A-Za-z]\w*\s*/\s*d[A-Za-z]|\[\s*\d")


@dataclass(frozen=True)
class Given:
    """One answer: kind 'number' (answer), 'formula' (text), 'missing' or 'unreadable' (error)."""

    kind: str
    text: str | None = None
    answer: Answer | None = None
    error: str | None = None


MISSING = Given("missing")
_NUMBER_TYPES = (int, float, KeptInt, KeptFloat)


def read_given(raw, field: str) -> Given:
    """One entry's answer as the user wrote it."""
    if raw is None:
        return MISSING
    if isinstance(raw, bool):
        return Given("unreadable", str(raw).lower(), error=f"{field}: expected a number, found {str(raw).lower()}")
    if isinstance(raw, (int, float)):
        return Given("number", text_of(raw), answer=_plain_number(raw))
    if not isinstance(raw, str):
        return Given("unreadable", str(raw), error=f"{field}: expected a number, an expression or a formula, "
                                                    f"found a {type(raw).__name__}")
    text = raw.strip()
    if _FORMULA_HINT.search(text):
        return Given("formula", text)
    try:
        return Given("number", text, answer=parse_answer(text, field))
    except CnnError as error:
        return Given("unreadable", text, error=_error_text(error))


def _plain_number(raw) -> Answer:
    """A YAML number: its text decides the kind (1.60 is a decimal of 2 places, 3 an integer)."""
    text = text_of(raw)
    if isinstance(raw, int):
        return Answer(float(raw), None, None, "integer", text)
    return Answer(float(raw), None, decimals_written(text), "decimal", text)


def _error_text(error: CnnError) -> str:
    text = error.message()
    return text + ("\n" + error.caret if error.caret else "")


@dataclass(frozen=True)
class TensorAnswer:
    """A whole-tensor answer: its shape and its answers flat in C order."""

    shape: tuple[int, ...]
    given: list[Given]
    numbers: tuple[list, list, list] | None = None  # (values, texts, decimals) when every answer is a number


def entry_field(field: str, index: tuple[int, ...], shape: tuple[int, ...], naming: Naming) -> str:
    """Where one entry of a whole-tensor answer sits, as the user counts: expect.dx[2,2] (index base
    and axes of length 1 as Naming writes an entry), not its 0-based position in the list."""
    written = naming.person_index(index, shape)
    return f"{field}[{','.join(map(str, written))}]" if written else field


def read_tensor_answer(raw, field: str, naming: Naming) -> TensorAnswer:
    """Nested lists (or one value) as a shape and flat answers; a ragged list raises CnnError.
    An entry's errors name it in `naming`'s index base."""
    shape = _shape_of(raw, field)
    items, texts = flat_items(raw), flat_texts(raw)
    if all(type(item) in _NUMBER_TYPES for item in items):
        decimals = [None if isinstance(item, int) else decimals_written(text) for item, text in zip(items, texts)]
        numbers = ([float(item) for item in items], texts, decimals)
        return TensorAnswer(shape, [Given("number", text) for text in texts], numbers)
    given = []
    for k, (item, text) in enumerate(zip(items, texts)):
        if isinstance(item, float) and not isinstance(item, KeptFloat) and text is not None \
                and text != float.__repr__(item):
            item = KeptFloat(item, text)  # a flow list's text, kept beside the float
        elif isinstance(item, int) and not isinstance(item, (bool, KeptInt)) and text is not None \
                and text != int.__repr__(item):
            item = KeptInt(item, text)
        given.append(read_given(item, entry_field(field, np.unravel_index(k, shape), shape, naming)))
    return TensorAnswer(shape, given)


def _shape_of(raw, field: str) -> tuple[int, ...]:
    if not isinstance(raw, list):
        return ()
    if not raw:
        raise CnnError(field, "a non-empty list of answers", "an empty list")
    shapes = {_shape_of(item, field) for item in raw}
    if len(shapes) != 1:
        raise CnnError(field, "a rectangular list of answers (every row the same length)", "rows of different lengths")
    return (len(raw),) + shapes.pop()
