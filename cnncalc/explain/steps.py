"""Explanations as data: steps made of terms made of factors, no prose.

A step states one equation about one entry (its target):

  kind 'sum'    target = Σ_terms coefficient · Π factor values        (forward sums, softmax's p, L, ...)
  kind 'chain'  the same sum, read as the chain rule: each term is an upstream gradient times a
                local derivative (conv's dx, dw, db; fc; pooling; activations)
  kind 'max'    target = the largest factor value over the terms (one factor each); `chosen`
                lists the terms the gradient goes to under the tie rule in force
  kind 'size'   an output size; `detail` holds n, k, s, d, lo, hi, ceil_mode (geometry's formula)
  kind 'identity'  a whole-tensor view (grids in `grids`), e.g. dx as dy correlated with w rotated 180°
  kind 'layer'  a pipeline layer: `detail` says what feeds it and what it gives
  kind 'text'   a statement with no number to check (`detail['rule']` names it)

A factor is one entry of a named tensor (canonical name, 0-based index in the shape the user
sees), optionally through a function ('exp', 'ln', or a derivative such as "relu'") and
raised to a power; `value` is its number, function applied, before the power (None in
symbolic explanations). Every numeric 'sum' and 'chain' step re-evaluates from its own
terms: Σ coefficient · Π value^power.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

SCHEMA = 1
KINDS = ("sum", "chain", "max", "size", "identity", "layer", "text")
Index = tuple[int, ...]


class Factor(NamedTuple):  # a NamedTuple: a dw entry of a large conv has tens of thousands
    name: str                     # canonical tensor name: x, w, b, dy, z, p, conv_1.weight, ...
    index: Index                  # 0-based, in the tensor's shape as the user sees it
    value: float | None = None    # the factor's number, function applied, before the power; None: symbolic
    function: str | None = None   # 'exp', 'ln', or a local derivative "relu'", "sigmoid'", ...
    power: int = 1

    def as_data(self) -> dict:
        data = {"name": self.name, "index": list(self.index), "value": _number(self.value)}
        if self.function:
            data["function"] = self.function
        if self.power != 1:
            data["power"] = self.power
        return data


class Term(NamedTuple):
    factors: tuple[Factor, ...]
    coefficient: Fraction = Fraction(1)

    def value(self) -> float | None:
        """coefficient · Π factor values, None when a factor is symbolic."""
        total = float(self.coefficient)
        for factor in self.factors:
            if factor.value is None:
                return None
            total *= factor.value ** factor.power if factor.value or factor.power >= 0 else float("inf")
        return total

    def as_data(self) -> dict:
        data = {"factors": [factor.as_data() for factor in self.factors]}
        if self.coefficient != 1:
            data["coefficient"] = _coefficient(self.coefficient)
        return data


@dataclass(frozen=True)
class Target:
    name: str
    index: Index

    def as_data(self) -> dict:
        return {"name": self.name, "index": list(self.index)}


@dataclass(frozen=True)
class MarkedGrid:
    """A 2-D grid for a person to look at: cells (rows of numbers or None), each marked
    'pad' (a padded cell), 'mark' (in the window / receptive field), 'zero' (an inserted zero)
    or '' (plain). `origin` is the (row, col) of cell [0][0] in the tensor's own indices (negative
    inside the top/left padding)."""

    name: str
    index: Index                      # the slice's leading indices (n, c) in the user's shape
    cells: tuple[tuple[float | None, ...], ...]
    marks: tuple[tuple[str, ...], ...]
    origin: tuple[int, int] = (0, 0)
    role: str = ""                    # what the grid is in its step: 'input', 'kernel', 'result', ...

    def as_data(self) -> dict:
        return {"name": self.name, "index": list(self.index), "role": self.role, "origin": list(self.origin),
                "cells": [[_number(v) for v in row] for row in self.cells],
                "marks": [list(row) for row in self.marks]}


@dataclass(frozen=True)
class Step:
    kind: str
    target: Target | None = None
    terms: tuple[Term, ...] = ()
    value: float | None = None
    phase: str = "forward"            # 'shape', 'forward' or 'backward'
    chosen: tuple[int, ...] = ()      # 'max': the terms that receive the gradient
    grids: tuple[MarkedGrid, ...] = ()
    detail: dict = field(default_factory=dict)

    def evaluate(self) -> float | None:
        """The step's value from its own terms (None for kinds that are not sums or maxima)."""
        values = [term.value() for term in self.terms]
        if self.kind in ("sum", "chain") and None not in values:
            return float(sum(values)) if values else 0.0
        if self.kind == "max" and values and None not in values:
            return max(values)
        return None

    def as_data(self) -> dict:
        data = {"kind": self.kind, "phase": self.phase,
                "target": self.target.as_data() if self.target else None,
                "terms": [term.as_data() for term in self.terms], "value": _number(self.value)}
        if self.chosen:
            data["chosen"] = list(self.chosen)
        if self.grids:
            data["grids"] = [grid.as_data() for grid in self.grids]
        if self.detail:
            data["detail"] = {key: _plain(value) for key, value in self.detail.items()}
        return data


@dataclass
class Explanation:
    """The steps shown, how many were left out by --max-steps, and whether they are symbolic."""

    steps: list[Step]
    omitted: int = 0
    symbolic: bool = False
    shapes: dict = field(default_factory=dict)   # canonical name → the user's shape (for spelling entries)

    def as_data(self) -> dict:
        return {"schema": SCHEMA, "symbolic": self.symbolic, "omitted": self.omitted,
                "shapes": {name: list(shape) for name, shape in self.shapes.items()},
                "steps": [step.as_data() for step in self.steps]}


def _number(value):
    if value is None:
        return None
    value = float(value)
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return value


def _coefficient(value: Fraction):
    return value.numerator if value.denominator == 1 else [value.numerator, value.denominator]


def _plain(value):
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction):
        return _coefficient(value)
    if hasattr(value, "item"):
        return value.item()
    return value
