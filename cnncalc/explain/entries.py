"""--entry: which entry the user means, in their names and index base; and --max-steps."""

from __future__ import annotations

import itertools
import re

from cnncalc.errors import CnnError, shape_text
from cnncalc.explain.steps import Index

ENTRY = re.compile(r"^\s*(?P<name>[^\[\]]+?)\s*(?:\[(?P<index>[^\]]*)\])?\s*$")


def split_entries(texts) -> list[str]:
    """'dx[2,1],y[1,1]' and repeated options alike: commas inside brackets stay with their entry."""
    entries = []
    for text in texts or ():
        entries += [part.strip() for part in re.findall(r"[^,\[]+(?:\[[^\]]*\])?", text) if part.strip()]
    return entries


def parse_entry(text: str, naming, shapes: dict[str, tuple]) -> tuple[str, Index]:
    """(canonical name, 0-based index in the user's shape) of `text`, such as dx[2,1] or dL/dI[1,2].

    Axes of length 1 may be left out (k[2] for a 2×1 kernel), as Naming writes them.
    """
    match = ENTRY.match(text)
    if not match:
        raise CnnError("--entry", "an entry like dx[2,1] (a name, then indices in brackets)", f"'{text}'")
    name = naming.canonical(match["name"], list(shapes), "--entry")
    shape = tuple(shapes[name])
    given = [part.strip() for part in (match["index"] or "").split(",") if part.strip()]
    if not all(re.fullmatch(r"-?\d+", part) for part in given):
        raise CnnError("--entry", "whole-number indices", f"'{text}'")
    index = _full_index([int(part) - naming.base for part in given], shape)
    if index is None or not all(0 <= i < n for i, n in zip(index, shape)):
        last = ",".join(str(n - 1 + naming.base) for n in shape if n != 1) or "no index"
        raise CnnError("--entry", f"an entry of {naming.shown(name)} ({shape_text(shape)}, indices from "
                       f"{naming.base} to [{last}] with --index-base {naming.base})", f"'{text}'")
    return name, index


def _full_index(given: list[int], shape: tuple) -> Index | None:
    if len(given) == len(shape):
        return tuple(given)
    kept = [k for k, n in enumerate(shape) if n != 1]
    if len(given) != len(kept):
        return None
    index = [0] * len(shape)
    for k, value in zip(kept, given):
        index[k] = value
    return tuple(index)


def collect(sections, max_steps: int) -> tuple[list, int]:
    """The first `max_steps` steps of the sections (0: all) and how many were left out."""
    steps, total = [], 0
    for section in sections:
        total += section.count
        room = None if max_steps == 0 else max_steps - len(steps)
        if room is None or room > 0:
            steps += list(itertools.islice(section.steps(), room))
    return steps, total - len(steps)
