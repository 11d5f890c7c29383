"""JSON output: one object, full float64 precision, never passed through rich.

Schema (version 2):
  {"schema": 2, "command": str, "parameters": {...}, "conventions": [str], "rules": [rule],
   "inputs": {name: tensor}, "forward": {name: tensor}, "backward": {name: tensor},
   "extras": {name: tensor}, "notes": [str], "warnings": [str]}
  tensor = {"shape": [int, ...], "data": nested lists (a bare number for shape [])}
  positions (max-pool argmax) are extras with a last axis of 2: 0-based (row, col).
  Entries that are not finite (dL/dp where p underflowed, a max over padding only) are the
  strings "inf", "-inf" or "nan"; every other entry is a number that reads back exactly.
  rule = {"id": str, ...its parameters} (the conventions as data; a pipeline layer's own under "rules")
Keys are canonical names; display names are listed under "names".
With --exact: "exact": {"inputs"|"forward"|"backward": {name: {"shape", "data"}}}, parallel to the
float tensors, each entry its exact value as a string ("198/5", "-3") or null where it has none;
tensors with no exact value are left out (the notes say why).
With --explain, --entry or --symbolic: "explanation": {"schema": 1, "symbolic", "omitted", "shapes",
"steps": [step]} (cnncalc/explain/steps.py; README "Explanations").
"""

from __future__ import annotations

import json

import numpy as np

from cnncalc.render.conventions import convention_lines
from cnncalc.result import JSON_SCHEMA_VERSION, Result




def tensor_json(array: np.ndarray) -> dict:
    array = np.asarray(array)
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        # JSON has no infinity or NaN: such entries are written as the strings "inf", "-inf", "nan".
        text = np.where(np.isnan(array), "nan", np.where(array > 0, "inf", "-inf"))
        array = np.where(np.isfinite(array), array.astype(object), text.astype(object))
    return {"shape": list(array.shape), "data": array.tolist()}


def result_json(result: Result) -> dict:
    return {
        "schema": JSON_SCHEMA_VERSION,
        "command": result.command,
        "parameters": result.parameters,
        "conventions": convention_lines(result.conventions),
        "rules": [rule.as_data() for rule in result.conventions],
        "names": result.names,
        "inputs": {k: tensor_json(v) for k, v in result.inputs.items()},
        "forward": {k: tensor_json(v) for k, v in result.forward.items()},
        "backward": {k: tensor_json(v) for k, v in result.backward.items()},
        "extras": {k: tensor_json(v) for k, v in (result.extras | result.positions).items()},
        "notes": result.notes,
        "warnings": result.warnings,
    } | ({"explanation": result.explanation.as_data()} if result.explanation is not None else {}) | _exact(result)


def _exact(result: Result) -> dict:
    if result.exact is None:  # set only by --exact
        return {}
    from cnncalc.render.exact import exact_json

    return {"exact": exact_json(result)}


def render_json(result: Result) -> str:
    return json.dumps(result_json(result), ensure_ascii=False, allow_nan=False) + "\n"
