"""Verdicts as plain text: one file in detail, or a batch as a summary table.

No colour is needed to see a mistake: wrong entries carry ✗ and the word, and a whole-tensor
answer is drawn as a grid with ✗ before each wrong entry. Plain strings, not rich: a batch of
a thousand files prints its table in milliseconds and nothing is ever cropped. The answers the
user gave are printed with their control characters escaped (an ESC in a YAML string stays text).
"""

from __future__ import annotations

import numpy as np

from cnncalc.check.verdicts import EntryVerdict, FileVerdict, NameVerdict
from cnncalc.errors import printable

MARK = "✗"
_STATUS_WORDS = {"right": "right", "wrong": "wrong", "missing": "missing", "wrong_shape": "wrong shape",
                 "unreadable": "unreadable", "bad": "bad file"}


def number(value: float, digits: int = 6) -> str:
    """Enough digits to tell a right value from a wrong one (1.6094, not 1.61)."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.{digits}g}".replace("e-0", "e-").replace("e+0", "e+")


def points_text(points: float, max_points: float) -> str:
    return f"{number(points, 4)}/{number(max_points, 4)}"


def file_lines(verdict: FileVerdict) -> list[str]:
    """One file's verdict: a headline, then each name and its wrong entries."""
    if verdict.error is not None:
        return [f"bad file: {verdict.error}"]
    lines = [f"{verdict.file} ({verdict.command}): {_STATUS_WORDS[verdict.status]}, "
             f"{verdict.right_count} of {verdict.total_count} entries right, {points_text(verdict.points, verdict.max_points)} points"]
    width = max(len(name.shown) for name in verdict.names)
    for name in verdict.names:
        lines += name_lines(name, width)
    return lines


def name_lines(name: NameVerdict, width: int) -> list[str]:
    mark = "  " if name.status == "right" else MARK + " "
    head = f"  {mark}{name.shown:<{width}}  {_STATUS_WORDS[name.status]}"
    if name.status == "wrong_shape":
        return [head + f": the answer's shape is {_shape(name.given_shape)}, {name.shown}'s is {_shape(name.right_shape)}"]
    if name.error:
        return [head + f": {name.error}"]
    head += f", {name.right_count} of {name.total_count} right" if name.total_count > 1 else ""
    lines = [head]
    if name.diagnosis is not None:
        lines.append(f"      diagnosis: {name.diagnosis.message}")
    lines += grid_lines(name)
    for entry in name.wrong_entries():
        lines += entry_lines(entry)
    return lines


def entry_lines(entry: EntryVerdict) -> list[str]:
    head = f"      {MARK} {entry.entry}: {_STATUS_WORDS[entry.status]}"
    if entry.status == "missing":
        return [head + " (no answer)"]
    if entry.status == "unreadable":
        first, *caret = (entry.error or "").split("\n")
        return [head + f": {first}"] + [f"          {line}" for line in caret]
    if entry.formula is not None:
        lines = [head, f"          given  {printable(entry.given)}", f"          right  {entry.formula.right}"]
        lines += [f"          {pair}" for pair in entry.formula.pairs]
        paired = bool(entry.formula.pairs)
        if not paired:
            lines += [f"          missing term: {term}" for term in entry.formula.missing]
            lines += [f"          extra term: {term}" for term in entry.formula.extra]
        return lines
    low, high = entry.interval
    return [head + f": given {printable(entry.given)}, right {number(entry.right)}, difference {number(entry.difference)}, "
                   f"accepted [{number(low)}, {number(high)}]"]


def grid_lines(name: NameVerdict) -> list[str]:
    """A whole-tensor answer with wrong entries marked, when it reads as a row or a grid."""
    shape = name.right_shape or ()
    person = tuple(n for n in shape if n != 1)
    if name.status == "right" or len(person) not in (1, 2) or len(name.entries) != int(np.prod(shape, dtype=int)) \
            or any(entry.formula is not None for entry in name.entries):
        return []
    cells = [("" if e.status == "right" else MARK) + (printable(e.given) if e.given is not None else "·") for e in name.entries]
    rows, cols = (1, person[0]) if len(person) == 1 else person
    width = max(len(cell) for cell in cells)
    return ["      " + "  ".join(cell.rjust(width) for cell in cells[r * cols:(r + 1) * cols]) for r in range(rows)]


def _shape(shape) -> str:
    return "×".join(map(str, shape)) if shape else "a single number"


# A batch -----------------------------------------------------------------------------------

HEADER = ("file", "names", "entries", "points", "verdict")


def summary_lines(verdicts: list[FileVerdict]) -> list[str]:
    """The summary table (one row per file) and a totals line."""
    rows = [_row(verdict) for verdict in verdicts]
    widths = [max(len(row[k]) for row in rows + [HEADER]) for k in range(len(HEADER))]
    lines = [_line(HEADER, widths)] + [_line(row, widths) for row in rows]
    return lines + [totals_line(verdicts)]


def _row(verdict: FileVerdict) -> tuple[str, ...]:
    if verdict.error is not None:
        return (verdict.file, "-", "-", "-", "bad file")
    word = "right" if verdict.status == "right" else f"{MARK} wrong"
    return (verdict.file, str(len(verdict.names)), f"{verdict.right_count}/{verdict.total_count}",
            points_text(verdict.points, verdict.max_points), word)


def _line(cells, widths) -> str:
    first, *rest = cells
    return (first.ljust(widths[0]) + "".join("  " + cell.rjust(width) for cell, width in zip(rest[:-1], widths[1:-1]))
            + "  " + rest[-1]).rstrip()


def totals_line(verdicts: list[FileVerdict]) -> str:
    counts = {status: sum(v.status == status for v in verdicts) for status in ("right", "wrong", "bad")}
    graded = [v for v in verdicts if v.error is None]
    right = sum(v.right_count for v in graded)
    total = sum(v.total_count for v in graded)
    points = sum(v.points for v in graded)
    possible = sum(v.max_points for v in graded)
    files = f"{len(verdicts)} file{'s' if len(verdicts) != 1 else ''}"
    return (f"{files}: {counts['right']} right, {counts['wrong']} wrong, {counts['bad']} bad; "
            f"{right}/{total} entries right; {points_text(points, possible)} points")
