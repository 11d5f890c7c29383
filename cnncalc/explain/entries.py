"""--entry: which entry the user means, in their names and index base; and --max-steps."""

from __future__ import annotations

import itertools
import re

from cnncalc.errors import CnnError
from cnncalc.explain.steps import Index

ENTRY = re.compile(r"^\s*(?P<name>[^\[\]]+?)\s*(?:\[(?P<index>[^\]]*)\])?\s*$")


SUBSCRIPT = re.compile(r"^\s*(?P<name>.+?)_(?:\{(?P<braced>[\d\s,]+)\}|(?P<digits>\d+))\s*$")


def split_entries(texts) -> list[str]:
    """'dx[2,1],y[1,1]' and repeated options alike: commas inside brackets stay with their entry;
    a text whose brackets do not pair stays whole, so its error quotes what was typed."""
    entries = []
    for text in texts or ():
        parts, depth, start = [], 0, 0
        for k, char in enumerate(text):
            depth += {"[": 1, "]": -1, "{": 1, "}": -1}.get(char, 0)
            if depth < 0 or depth > 1:
                break
            if char == "," and depth == 0:
                parts.append(text[start:k])
                start = k + 1
        else:
            if depth == 0:
                entries += [part.strip() for part in parts + [text[start:]] if part.strip()]
                continue
        entries.append(text.strip())
    return entries


def parse_entry(text: str, naming, shapes: dict[str, tuple]) -> tuple[str, Index]:
    """(canonical name, 0-based index in the user's shape) of `text`, such as dx[2,1] or dL/dI[1,2],
    or as the explanations write it, O_12 or x_{10,2}.

    Axes of length 1 may be left out (k[2] for a 2×1 kernel), as Naming writes them.
    """
    match = ENTRY.match(text)
    if not match:
        raise CnnError("--entry", "an entry like dx[2,1] (a name, then indices in brackets)", f"'{text}'")
    written = _subscripted(text, naming, shapes) if match["index"] is None else None
    name, index = written or (naming.canonical(match["name"], list(shapes), "--entry"), match["index"] or "")
    return name, naming.read_index(index, name, tuple(shapes[name]), "--entry", f"'{text}'")


def _subscripted(text: str, naming, shapes: dict[str, tuple]) -> tuple[str, str] | None:
    """(name, indices "1,2") of an entry written O_12 or x_{10,2} (Naming.subscript's spelling: one
    digit per axis when run together), or None when `text` is a name of its own."""
    match = SUBSCRIPT.match(text)
    if match is None or text.strip() in shapes or text.strip() in map(naming.shown, shapes):
        return None
    try:
        name = naming.canonical(match["name"], list(shapes))
    except CnnError:
        return None
    if match["braced"] is not None:
        return name, match["braced"]
    long_axes = sum(1 for n in shapes[name] if n != 1)
    digits = match["digits"]
    return name, ",".join(digits) if long_axes > 1 and len(digits) == long_axes else digits


def collect(sections, max_steps: int) -> tuple[list, int]:
    """The first `max_steps` steps of the sections (0: all) and how many were left out."""
    steps, total = [], 0
    for section in sections:
        total += section.count
        room = None if max_steps == 0 else max_steps - len(steps)
        if room is None or room > 0:
            steps += list(itertools.islice(section.steps(), room))
    return steps, total - len(steps)
