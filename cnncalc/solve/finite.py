"""Non-finite values in a result, from finite inputs: named in a warning, never silent.

Inputs are refused when they hold inf or NaN (inputs/tensors.py), so any inf or NaN in a
result was made by the arithmetic: an overflow (1e200² → inf), a division by 0 or the log
of 0 (−t/p and −log p where p underflowed to 0), or an invalid operation (0·inf, inf − inf,
which give NaN). `watched()` is the one place NumPy's floating-point errors are handled:
they are recorded (as the likely cause) instead of printed as RuntimeWarnings with source paths.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

# NumPy's names for its floating-point errors (np.seterrcall) → the words of a warning.
CAUSES = {
    "overflow": "overflow (a value past the float range, about ±1.8e308)",
    "divide by zero": "a division by 0 or the log of 0 (e.g. a probability that underflowed to 0)",
    "invalid value": "an invalid operation such as 0·inf or inf − inf",
}


@contextlib.contextmanager
def watched() -> Iterator[set[str]]:
    """Run the block with NumPy's floating-point errors recorded in the yielded set, not printed."""
    events: set[str] = set()

    def record(kind: str, _flag: int) -> None:
        events.add(kind)

    with np.errstate(over="call", divide="call", invalid="call", under="ignore", call=record):
        yield events


def count_nonfinite(array: np.ndarray) -> tuple[int, int, int]:
    """(+inf, −inf, NaN) entries of `array`; all 0 for integer arrays."""
    array = np.asarray(array)
    if array.dtype.kind not in "fc" or array.size == 0:
        return 0, 0, 0
    finite = np.isfinite(array)
    if finite.all():
        return 0, 0, 0
    nan = int(np.count_nonzero(np.isnan(array)))
    positive = int(np.count_nonzero(np.isposinf(array)))
    return positive, int(array.size - np.count_nonzero(finite)) - nan - positive, nan


def likely_cause(infinite: bool, nan: bool, events: set[str], probability_zero: bool) -> str:
    """The cause to name for one tensor's non-finite entries: what NumPy reported where it could
    (the core silences it where an inf is the expected answer), else what the values show: with
    finite inputs, an inf comes from an overflow, or from a probability that underflowed to 0."""
    causes = []
    if infinite:
        if "overflow" in events:
            causes.append(CAUSES["overflow"])
        if "divide by zero" in events or probability_zero:
            causes.append(CAUSES["divide by zero"])
        if not causes:
            causes.append(CAUSES["overflow"])
    if nan:
        causes.append(CAUSES["invalid value"] + (", after an overflow" if "overflow" in events else ""))
    return "; or ".join(dict.fromkeys(causes))


def _probability_zero(result) -> bool:
    p = result.forward.get("p")
    return p is not None and np.asarray(p).dtype.kind == "f" and not np.all(p)


def nonfinite_warnings(result, events: set[str]) -> list[str]:
    """One warning per result tensor holding inf or NaN: which tensor, how many entries, the likely cause."""
    warnings, probability_zero = [], _probability_zero(result)
    for section in (result.forward, result.backward, result.extras):
        for name, array in section.items():
            positive, negative, nan = count_nonfinite(array)
            total = positive + negative + nan
            if not total:
                continue
            kinds = [f"{count} {word}" for count, word in ((positive, "inf"), (negative, "-inf"), (nan, "NaN"))
                     if count]
            size = np.asarray(array).size
            warnings.append(f"{result.display_name(name)}: {total:,} of {size:,} entr{'y is' if size == 1 else 'ies are'}"
                            f" not finite ({', '.join(kinds)}); likely cause: "
                            f"{likely_cause(bool(positive or negative), bool(nan), events, probability_zero)}")
    return warnings
