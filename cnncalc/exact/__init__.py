"""`--exact`: fractions for every tensor whose inputs are all rational (see commands.py).

attach_exact(result, typed, problem) sets `result.exact` ({canonical name: object array
of Fractions}) and adds notes where decimals take over; renderers show each fraction
beside its decimal, JSON under "exact".
"""

from __future__ import annotations

import numpy as np

from cnncalc.exact.commands import Exact, mse_only, single_layer, softmax_only

MAX_EXACT_ENTRIES = 200_000  # Fractions are Python objects: beyond this the note says why there are none


def _conv(result, typed, raw):
    from cnncalc.core import network
    from cnncalc.solve.conv import _bias
    from cnncalc.solve.layout import as_nchw, as_oihw

    w4 = as_oihw(typed.w)
    bias = _bias(typed.b, w4.shape[0]) if typed.b is not None else None
    layer = network.Conv(w4, bias, typed.stride, typed.padding, typed.dilation, typed.groups, typed.mode,
                         typed.anchor)
    return single_layer(result, layer, raw, "x", {"weight": "w", "bias": "b"}, as_nchw(typed.x).shape)


def _pool(result, typed, raw):
    from cnncalc.core import network
    from cnncalc.solve.layout import as_nchw

    layer = network.Pool(typed.kind, typed.kernel_size, typed.stride, typed.padding, typed.dilation,
                         typed.ceil_mode, typed.count_include_pad, typed.ties)
    return single_layer(result, layer, raw, "x", {}, as_nchw(typed.x).shape)


def _fc(result, typed, raw):
    from cnncalc.core import network

    layer = network.Fc(typed.w, typed.b, typed.layout)
    shape = (result.parameters["batch"], result.parameters["in"])
    return single_layer(result, layer, raw, "x", {"weight": "w", "bias": "b"}, shape)


def _act(result, typed, raw):
    from cnncalc.core import network

    layer = network.Activation(typed.kind, typed.slope)
    return single_layer(result, layer, raw, "x", {}, typed.x.shape, typed.source.values.get("slope"))


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
    return {"conv": _conv, "pool": _pool, "fc": _fc, "act": _act}[result.command](result, typed, raw)


def attach_exact(result, typed, problem) -> None:
    exact = compute_exact(result, typed, problem)
    result.exact = exact.values
    result.notes += exact.notes
