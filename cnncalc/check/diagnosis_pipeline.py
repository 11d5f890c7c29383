"""The usual mistakes inside a pipeline: one layer (or the loss) done wrong, the rest right.

A pipeline tensor is made by one layer (its output, input gradient or weight gradient) or by
the loss. That layer is run again as its single-layer command on the pipeline's tensors (the
same re-run that derives a pipeline entry for --entry: cnncalc.solve.pipeline_parts), with
its names spelled as the pipeline's, and the single-layer commands' mistakes apply unchanged.
"""

from __future__ import annotations

import numpy as np

from cnncalc.check.diagnosis_dense import DENSE_RULES
from cnncalc.check.diagnosis_rules import Candidate
from cnncalc.check.diagnosis_windows import WINDOW_RULES
from cnncalc.errors import CnnError
from cnncalc.solve.pipeline_parts import owner, solve_part
from cnncalc.naming import Naming
from cnncalc.result import Result

RULES = WINDOW_RULES | DENSE_RULES


def pipeline_rules(result: Result, name: str, given: np.ndarray) -> list:
    """The mistakes of the layer (or loss) that made pipeline tensor `name`."""
    found = owner(result, name)
    if found is None or found[0].command not in RULES:
        return []
    part, local = found
    try:
        single = solve_part(result, part)
    except CnnError:  # a tensor the layer needs was left out (--only)
        return []
    shown = result.naming
    single.naming = Naming({own: shown.shown(theirs) for own, theirs in part.names.items()}, {}, shown.base)
    shape = np.shape(result.tensor(name))
    local_given = np.asarray(given, dtype=np.float64).reshape(np.shape(single.tensor(local)))
    return [Candidate(c.rule, c.what, c.why, _reshaped(c.compute, shape))
            for c in RULES[single.command](single, local, local_given)]


def _reshaped(compute, shape):
    return lambda: None if (value := compute()) is None else np.asarray(value).reshape(shape)
