"""--entry: which entry the user means, in their names and index base; and --max-steps."""

from __future__ import annotations

import itertools
import re

from cnncalc.errors import CnnError
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
    return name, naming.read_index(match["index"] or "", name, tuple(shapes[name]), "--entry", f"'{text}'")


def collect(sections, max_steps: int) -> tuple[list, int]:
    """The first `max_steps` steps of the sections (0: all) and how many were left out."""
    steps, total = [], 0
    for section in sections:
        total += section.count
        room = None if max_steps == 0 else max_steps - len(steps)
        if room is None or room > 0:
            steps += list(itertools.islice(section.steps(), room))
    return steps, total - len(steps)
