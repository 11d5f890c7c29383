"""`--exact`: fractions for every tensor whose inputs are all rational (see commands.py).

attach_exact(result, typed, problem) sets `result.exact` ({canonical name: object array
of Fractions}) and adds notes where decimals take over; renderers show each fraction
beside its decimal, JSON under "exact".
"""

from __future__ import annotations

import numpy as np

from cnncalc.exact.commands import Exact, mse_only, single_layer, softmax_only

MAX_EXACT_ENTRIES = 200_000  # Fractions are Python objects: beyond this the note says why there are none


def _one_layer(result, typed, raw):
    from cnncalc.solve.one_layer import one_layer

    one = one_layer(result, typed)
    slope = typed.source.values.get("slope") if result.command == "act" else None  # as written, for its fraction
    return single_layer(result, one.layer, raw, "x", one.parameters, one.batch_shape, slope)


def _raw(problem, names) -> dict:
    """The user's raw value of each input (the file's or the option's), by the result's name."""
    fields = {"t": "target"}
    return {name: problem.values.get(fields.get(name, name)) for name in names}


def compute_exact(result, typed, problem) -> Exact:
    """The exact values of `result`, solved from `typed` (the solver's problem) read from `problem`."""
    size = sum(np.size(a) for section in (result.inputs, result.forward, result.backward) for a in section.values())
    if size > MAX_EXACT_ENTRIES:
        return Exact(notes=[f"exact: not computed for {size:,} entries (at most {MAX_EXACT_ENTRIES:,}); "
                            "decimals only"])
    if result.command == "pipeline":
        from cnncalc.exact.pipeline import pipeline_exact

        return pipeline_exact(result, typed, problem)
    raw = _raw(problem, result.inputs)
    if result.command == "loss":
        return mse_only(result, raw)
    if result.command == "softmax":
        return softmax_only(result, raw)
    return _one_layer(result, typed, raw)


def attach_exact(result, typed, problem) -> None:
    exact = compute_exact(result, typed, problem)
    result.exact = exact.values
    result.notes += exact.notes
