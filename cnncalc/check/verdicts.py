"""Verdicts as data: per file, per name, per entry. Renderers (text, JSON, grader formats) read these.

Entry statuses:  right | wrong | missing | unreadable
Name statuses:   right | wrong | missing | wrong_shape | unreadable
File statuses:   right | wrong | bad (the file could not be solved or read: `error` says why)

A NameVerdict has a `diagnosis` slot (None until a diagnosis is attached): the mistaken
convention that reproduces a wrong answer, when one does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple


class Numeric(NamedTuple):
    """A numeric answer as read: its value and the decimals written (None: judged to float precision)."""

    value: float
    decimals: int | None


@dataclass
class FormulaVerdict:
    """A formula answer judged as a polynomial: the right formula, the terms that differ."""

    right: str                     # the right formula in the user's notation (plain)
    right_latex: str
    missing: list[str] = field(default_factory=list)  # terms of the right formula the answer lacks
    extra: list[str] = field(default_factory=list)    # terms the answer has too much
    pairs: list[str] = field(default_factory=list)    # 'W_22 where W_12 belongs (in dL/dO_11·W_12)'

    def as_data(self) -> dict:
        return {"right": self.right, "right_latex": self.right_latex, "missing_terms": self.missing,
                "extra_terms": self.extra, "pairs": self.pairs}


@dataclass
class EntryVerdict:
    index: tuple[int, ...]          # 0-based, in the computed tensor's shape
    entry: str                      # as the user writes it: dx[2,1] (their names and index base)
    status: str
    given: str | None = None        # the answer's text, as written
    right: float | None = None      # the computed value (None for a formula answer)
    difference: float | None = None  # given − right
    interval: tuple[float, float] | None = None  # the accepted values
    formula: FormulaVerdict | None = None
    error: str | None = None        # why the answer is unreadable (with its caret line)
    points: float = 0.0
    max_points: float = 0.0
    answer: "Numeric | None" = field(default=None, repr=False)  # the number read (for the diagnosis)

    def as_data(self) -> dict:
        data = {"entry": self.entry, "index": list(self.index), "status": self.status, "given": self.given}
        if self.right is not None:
            data["right"] = _number(self.right)
        if self.difference is not None:
            data["difference"] = _number(self.difference)
        if self.interval is not None:
            data["interval"] = [_number(v) for v in self.interval]
        if self.formula is not None:
            data["formula"] = self.formula.as_data()
        if self.error is not None:
            data["error"] = self.error
        data["points"], data["max_points"] = self.points, self.max_points
        return data


@dataclass
class NameVerdict:
    name: str                        # canonical (JSON key)
    shown: str                       # the user's name for it
    status: str
    entries: list[EntryVerdict] = field(default_factory=list)
    right_shape: tuple[int, ...] | None = None
    given_shape: tuple[int, ...] | None = None
    error: str | None = None         # unreadable as a whole (not a number, a list or entries)
    points: float = 0.0
    max_points: float = 0.0
    total: int = 0                   # entries the answer stands for (a wrong shape: the right size)
    diagnosis: object | None = None  # check.diagnosis.Diagnosis: the mistaken convention that reproduces it
    naming: object | None = field(default=None, repr=False)  # spells right entries when asked (as_data)

    @property
    def right_count(self) -> int:
        return sum(entry.status == "right" for entry in self.entries)

    @property
    def total_count(self) -> int:
        """Entries judged: those answered one by one, or every entry of a whole-tensor answer."""
        return max(self.total, len(self.entries))

    def spelt_entries(self) -> list[EntryVerdict]:
        """The entries, each with its spelling (right entries of a tensor of numbers are spelt only here)."""
        for entry in self.entries:
            if not entry.entry and self.naming is not None:
                entry.entry = self.naming.entry(self.name, entry.index, self.right_shape)
        return self.entries

    def wrong_entries(self) -> list[EntryVerdict]:
        return [entry for entry in self.entries if entry.status != "right"]

    def as_data(self) -> dict:
        data = {"name": self.name, "shown": self.shown, "status": self.status,
                "right": self.right_count, "total": self.total_count,
                "points": self.points, "max_points": self.max_points,
                "entries": [entry.as_data() for entry in self.spelt_entries()]}
        if self.right_shape is not None:
            data["right_shape"] = list(self.right_shape)
        if self.given_shape is not None:
            data["given_shape"] = list(self.given_shape)
        if self.error is not None:
            data["error"] = self.error
        data["diagnosis"] = _diagnosis_data(self.diagnosis)
        return data


@dataclass
class FileVerdict:
    file: str
    command: str | None = None
    names: list[NameVerdict] = field(default_factory=list)
    error: str | None = None         # a bad file: the one line saying why
    tolerance: dict | None = None
    result: object | None = field(default=None, repr=False)  # the solved Result (not pickled across jobs)

    @property
    def status(self) -> str:
        if self.error is not None:
            return "bad"
        return "right" if all(name.status == "right" for name in self.names) else "wrong"

    @property
    def right_count(self) -> int:
        return sum(name.right_count for name in self.names)

    @property
    def total_count(self) -> int:
        return sum(name.total_count for name in self.names)

    @property
    def points(self) -> float:
        return _round(sum(name.points for name in self.names))

    @property
    def max_points(self) -> float:
        return _round(sum(name.max_points for name in self.names))

    @property
    def unreadable(self) -> list[EntryVerdict | NameVerdict]:
        found: list = [name for name in self.names if name.error is not None]
        return found + [e for name in self.names for e in name.entries if e.status == "unreadable"]

    def as_data(self) -> dict:
        data = {"file": self.file, "command": self.command, "status": self.status}
        if self.error is not None:
            data["error"] = self.error
            return data
        data.update({"right": self.right_count, "total": self.total_count, "points": self.points,
                     "max_points": self.max_points, "tolerance": self.tolerance,
                     "names": [name.as_data() for name in self.names]})
        return data

    def without_result(self) -> "FileVerdict":
        """The verdict alone (a worker process sends it back without the solved tensors)."""
        return FileVerdict(self.file, self.command, self.names, self.error, self.tolerance)


def name_status(entries: list[EntryVerdict]) -> str:
    """unreadable if any entry is; missing if every entry is (or there is none); wrong if any is not right."""
    statuses = {entry.status for entry in entries}
    if "unreadable" in statuses:
        return "unreadable"
    if statuses <= {"missing"}:
        return "missing"
    return "wrong" if statuses - {"right"} else "right"


def _number(value: float):
    value = float(value)
    return value if math.isfinite(value) else str(value)


def _round(value: float) -> float:
    rounded = round(value, 9)
    return int(rounded) if rounded == int(rounded) else rounded


def _diagnosis_data(diagnosis):
    return None if diagnosis is None else diagnosis.as_data()
