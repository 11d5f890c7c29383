"""Why an answer is wrong, when it can be known: the mistaken conventions that reproduce it.

Each usual mistake is the same core computation under a different convention (the other
conv mode, another geometry, another tie rule, another reduction, w in the other layout,
dy transposed, ...): diagnosis_windows (conv, pool), diagnosis_dense (fc, act, softmax,
loss) and diagnosis_pipeline (one layer of a pipeline, or its loss) build those alternatives
from the Result alone, on the core's functions and term maps; nothing here knows a layer's
arithmetic. An alternative reproduces the user's answer
when every given entry matches it while the right tensor misses at least one. None does:
no diagnosis (never a guess); several do: all are named, none picked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from cnncalc.check.diagnosis_dense import DENSE_RULES
from cnncalc.check.diagnosis_pipeline import pipeline_rules
from cnncalc.check.diagnosis_rules import Candidate
from cnncalc.check.diagnosis_windows import WINDOW_RULES
from cnncalc.errors import CnnError
from cnncalc.result import Result

Matcher = Callable[[np.ndarray], np.ndarray]
SEVERAL = "several"  # Diagnosis.rule when more than one mistake reproduces the answer
RULES_BY_COMMAND = WINDOW_RULES | DENSE_RULES | {"pipeline": pipeline_rules}


@dataclass(frozen=True)
class Mistake:
    """One mistaken convention that reproduces the answer, and the tensor it gives."""

    rule: str                # its id, e.g. 'kernel_not_rotated'
    message: str             # one sentence for the student
    alternative: np.ndarray  # the tensor under that convention, shaped like the answer; NaN where it
    #                          was not computed (term-map alternatives evaluate the given entries only)
    #                          or has no value (index_base: no neighbour one place off)
    what: str = ""           # the mistake alone, e.g. 'with the kernel not rotated 180°'


@dataclass(frozen=True)
class Diagnosis:
    """What a wrong answer matches. `rule`, `message` and `alternative` are the one mistake's;
    when several reproduce the answer, rule is 'several', the message names them all and
    `mistakes` lists each (alternative is the first's: they agree on every given entry)."""

    rule: str
    message: str
    alternative: np.ndarray
    mistakes: tuple[Mistake, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(m.rule for m in self.mistakes)

    def as_data(self) -> dict:
        """For JSON: the rule(s) and the sentence (the alternative tensor is left to the caller)."""
        return {"rule": self.rule, "rules": list(self.rules), "message": self.message}


def default_matcher(answer: np.ndarray) -> Matcher:
    """Float agreement: np.isclose with rtol 1e-9, atol 1e-12."""
    return lambda candidate: np.isclose(candidate, answer, rtol=1e-9, atol=1e-12)


def diagnose(result: Result, name: str, answer: np.ndarray, matches: Matcher | None = None) -> Diagnosis | None:
    """The mistake(s) that reproduce `answer`, the user's tensor `name` (canonical), or None.

    answer   shaped like result.tensor(name), NaN where an entry was not given
    matches  candidate -> bool array of the entries that agree with the answer under the
             tolerance in force (default: default_matcher)
    None when the shapes differ, nothing was given, the answer is right, or no usual
    mistake reproduces it.
    """
    right = np.asarray(result.tensor(name), dtype=np.float64)
    answer = np.asarray(answer, dtype=np.float64)
    given = ~np.isnan(answer)
    if answer.shape != right.shape or not given.any():
        return None
    matches = matches or default_matcher(answer)
    if np.all(np.asarray(matches(right))[given]):
        return None
    shown = result.naming.shown(name)
    found = [_mistake(c, shown, value) for c, value in _computed(candidates(result, name, given))
             if value.shape == right.shape and np.all(np.asarray(matches(value))[given])]
    return _diagnosis(found, shown) if found else None


def candidates(result: Result, name: str, given: np.ndarray) -> list[Candidate]:
    """Every usual mistake that applies to tensor `name` of this result (not yet computed)."""
    rules = RULES_BY_COMMAND.get(result.command)
    own = rules(result, name, given) if rules else []
    return list(own) + index_base_candidates(result, name)


def _computed(found: Iterable[Candidate]):
    """(candidate, value) for each alternative the core can compute; one it refuses is no mistake."""
    for candidate in found:
        try:
            value = candidate.compute()
        except (CnnError, ValueError):  # e.g. a mutated geometry the core rejects
            continue
        if value is not None:
            yield candidate, np.asarray(value, dtype=np.float64)


def _mistake(candidate: Candidate, shown: str, value: np.ndarray) -> Mistake:
    message = f"Your {shown} matches the answer {candidate.what}: {candidate.why}."
    return Mistake(candidate.rule, message, value, candidate.what)


def _diagnosis(found: list[Mistake], shown: str) -> Diagnosis:
    if len(found) == 1:
        (one,) = found
        return Diagnosis(one.rule, one.message, one.alternative, (one,))
    listed = "; ".join(m.what for m in found)
    message = (f"Your {shown} matches the answer under {len(found)} different mistakes, and the entries "
               f"given cannot tell which: {listed}.")
    return Diagnosis(SEVERAL, message, found[0].alternative, tuple(found))


# --- a mistake of every command: the entries labelled in the other index base -------------------

def index_base_candidates(result: Result, name: str) -> list[Candidate]:
    """The answer written in the other index base: the entry the file calls m is the right
    tensor's entry m ± 1 (every axis longer than 1); entries with no such neighbour are NaN."""
    base = result.naming.base
    other = 1 - base
    what = f"with the entries labelled from {other} instead of {base}"
    why = f"this file counts rows and columns from {base}, so each entry given sits one place off"
    return [Candidate("index_base", what, why, lambda: shifted(result.tensor(name), base - other))]


def shifted(right: np.ndarray, step: int) -> np.ndarray:
    """out[m] = right[m + step] on every axis longer than 1 (NaN where that is outside)."""
    right = np.asarray(right, dtype=np.float64)
    out = np.full(right.shape, np.nan)
    target, source = [], []
    for n in right.shape:
        if n == 1:
            target.append(slice(None))
            source.append(slice(None))
        else:
            target.append(slice(max(-step, 0), n - max(step, 0)))
            source.append(slice(max(step, 0), n - max(-step, 0)))
    out[tuple(target)] = right[tuple(source)]
    return out
