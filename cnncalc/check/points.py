"""Points: `points:` in a problem file gives credit per name or per entry.

  points:
    y: 2                    y is worth 2 (all or nothing; a share per right entry with --partial-credit)
    dx: {"1,2": 1, "2,1": 1}  one point for each of these entries of dx

Every name checked and not listed is worth 1 point; a name listed but not answered is missing
and earns nothing.
"""

from __future__ import annotations

import math

from cnncalc.check.verdicts import EntryVerdict, NameVerdict
from cnncalc.errors import CnnError

DEFAULT_POINTS = 1.0


class PointsPlan:
    """What each name (or entry) is worth, and whether a name earns a share per right entry."""

    def __init__(self, per_name: dict | None = None, partial: bool = False):
        self.per_name = per_name or {}
        self.partial = partial

    def award(self, verdict: NameVerdict, spell=str) -> None:
        """Points earned and possible on `verdict` (and its entries); spell(index) writes an entry."""
        worth = self.per_name.get(verdict.name, DEFAULT_POINTS)
        if isinstance(worth, dict):
            self._per_entry(verdict, worth, spell)
            return
        verdict.max_points = worth
        if verdict.status == "right":
            verdict.points = worth
        elif self.partial and verdict.entries and verdict.total_count:
            verdict.points = worth * verdict.right_count / verdict.total_count
            share = worth / verdict.total_count
            for entry in verdict.entries:
                entry.max_points, entry.points = share, share if entry.status == "right" else 0.0

    def _per_entry(self, verdict: NameVerdict, worth: dict, spell) -> None:
        by_index = {entry.index: entry for entry in verdict.entries}
        for index, value in worth.items():
            entry = by_index.get(index)
            if entry is None:
                entry = EntryVerdict(index, spell(index), "missing")
                verdict.entries.append(entry)
                if verdict.status == "right":
                    verdict.status = "wrong" if verdict.entries[:-1] else "missing"
            entry.max_points = value
            entry.points = value if entry.status == "right" else 0.0
        verdict.max_points = sum(worth.values())
        verdict.points = sum(entry.points for entry in verdict.entries)


def read_points(raw, judge, partial: bool, field: str = "points") -> PointsPlan:
    """The plan of `points:` (None: every name 1 point); names and entry keys as `expect:` takes them."""
    if raw is None:
        return PointsPlan({}, partial)
    if not isinstance(raw, dict):
        raise CnnError(field, "points per name, like {y: 2, dx: 3} or {dx: {\"2,1\": 1}}", repr(raw))
    per_name = {}
    for written, worth in raw.items():
        name = judge.canonical(written, f"{field}.{written}")
        if isinstance(worth, dict):
            shape = judge.right_array(name).shape
            per_name[name] = {judge.naming.read_index(key, name, shape, f"{field}.{written}.{key}"):
                              _amount(value, f"{field}.{written}.{key}") for key, value in worth.items()}
        else:
            per_name[name] = _amount(worth, f"{field}.{written}")
    return PointsPlan(per_name, partial)


def _amount(value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise CnnError(field, "a number of points (0 or more)", repr(value))
    return float(value)
