"""JSON of a big result, written piece by piece: the same bytes as render_json, bounded memory.

render_json builds the whole document as one string from nested Python lists: a result of
tens of millions of entries costs gigabytes that way (a Python float and a list slot per
entry, then the text). Here the document's frame (everything but the tensors' data) comes
from render.jsonout itself, and each tensor's data is written in blocks of at most BLOCK
entries, each block formatted by jsonout.tensor_json, so numbers, "inf" and "nan" read
exactly as in the one-shot form.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import numpy as np

from cnncalc.render.jsonout import result_json, tensor_json

BLOCK = 1 << 16            # entries formatted at a time
STREAM_FROM = 1 << 18      # results with more entries than this are streamed
SECTIONS = ("inputs", "forward", "backward", "extras")


def total_entries(result) -> int:
    return sum(np.asarray(array).size for section in (result.inputs, result.forward, result.backward,
                                                      result.extras, result.positions)
               for array in section.values())


def write_json(result, write, file: str | None = None) -> None:
    """The JSON document of `result` through write(text): one shot when small, streamed when big.
    With `file` (several files in one call, JSON Lines), the document starts with "file": FILE."""
    if file is not None:
        write = _with_file_key(write, file)
    if total_entries(result) <= STREAM_FROM:
        from cnncalc.render.jsonout import render_json

        write(render_json(result))
        return
    stream_json(result, write)


def _with_file_key(write, file: str):
    """write(), with '"file": FILE, ' put after the document's opening brace."""
    state = {"first": True}

    def first_with_file(text: str) -> None:
        if state["first"]:
            state["first"] = False
            text = "{" + f'"file": {json.dumps(file)}, ' + text[1:]  # ASCII: no raw U+2028 from a name
        write(text)

    return first_with_file


def stream_json(result, write) -> None:
    """The document render_json would give, written in pieces: the frame, then each tensor by blocks."""
    tensors = {"inputs": result.inputs, "forward": result.forward, "backward": result.backward,
               "extras": result.extras | result.positions}
    frame = _frame(result, tensors)
    marker = f"@tensor-{uuid.uuid4().hex}-"
    for section in SECTIONS:
        for k, name in enumerate(tensors[section]):
            frame[section][name] = f"{marker}{section}-{k}"
    text = json.dumps(frame, ensure_ascii=False, allow_nan=False) + "\n"
    pieces = text.split(f'"{marker}')
    write(pieces[0])
    for piece in pieces[1:]:
        key, _, rest = piece.partition('"')
        section, _, k = key.rpartition("-")
        array = np.asarray(list(tensors[section].values())[int(k)])
        write(f'{{"shape": {json.dumps(list(array.shape))}, "data": ')
        _write_data(array, write)
        write("}" + rest)


def _frame(result, tensors: dict) -> dict:
    """jsonout's document with every tensor replaced by a 0-d placeholder (overwritten by the caller)."""
    tiny = {section: {name: np.zeros(()) for name in arrays} for section, arrays in tensors.items()}
    light = replace(result, inputs=tiny["inputs"], forward=tiny["forward"], backward=tiny["backward"],
                    extras=tiny["extras"], positions={})
    return result_json(light)


def _dumps(array: np.ndarray) -> str:
    return json.dumps(tensor_json(array)["data"], ensure_ascii=False, allow_nan=False)


def _write_data(array: np.ndarray, write) -> None:
    """Nested lists of `array`, as json.dumps(tensor_json(array)["data"]) would write them:
    whole rows (along the first axis) BLOCK entries at a time, a row past BLOCK by its own rows."""
    if array.size <= BLOCK or array.ndim == 0:
        write(_dumps(array))
        return
    row = array[0].size
    write("[")
    if row > BLOCK:
        for i in range(array.shape[0]):
            write(", " if i else "")
            _write_data(array[i], write)
    else:
        rows = BLOCK // max(row, 1)
        for start in range(0, array.shape[0], rows):
            write((", " if start else "") + _dumps(array[start:start + rows])[1:-1])
    write("]")
