"""Flow lists of plain numbers, read by the standard library's JSON parser.

A flow list of numbers is JSON, and json's C parser reads it some thirty times faster
than libyaml's composer plus a walk over its nodes. Each '[' that starts a value is
offered to json; when the list parses, holds no strings and makes a finite float64
array, it is cut out of the text and a tagged empty list with the same line breaks,
`!<tag> [\\n\\n]`, is put in its place: libyaml reads only the rest, and every line keeps
its number. The builder swaps each placeholder back. A placeholder it never meets
(the '[' sat inside a string or a comment) means the cut changed the text's meaning,
and the caller reads the original text instead. Anything json refuses (YAML's own
spellings such as .5, +1, 0x10, .inf, or a deep or ragged list) stays with libyaml.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field

import numpy as np

from cnncalc.inputs.kept import KeptList
from cnncalc.inputs.literals import MAX_DEPTH

_KEY = r"""(?:[A-Za-z_][\w.-]*|"[^"\\\n]*"|'[^'\n]*')"""
# A '[' starts a value after indentation, '- ' markers and one 'key: ' on its line,
# or after '[', '{' or ',' (and a key). Looked for within a short window before it.
_BLOCK_BEFORE = re.compile(rf"[ \t]*(?:-[ \t]+)*(?:{_KEY}[ \t]*:[ \t]+)?")
_FLOW_BEFORE = re.compile(rf"[\[{{,][ \t]*(?:{_KEY}[ \t]*:[ \t]*)?\Z")
_WINDOW = 256
_SHORT = 64  # a short list of integers as Python prints them (stride: [2, 2]) stays a plain list
# json's error counts the lines before the failure, a pass over the text each time: after this
# many failures the rest of the document is left to libyaml.
_MAX_FAILURES = 64


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number here")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


@dataclass
class Flow:
    """One list read by json: its value, its text, and the YAML nodes it stands for."""

    value: list
    source: str
    nodes: int
    ndim: int


@dataclass
class Cut:
    """The text with its number lists cut out, and the lists by placeholder tag."""

    text: str
    flows: dict[str, Flow]
    taken: set = field(default_factory=set)

    def take(self, tag: str) -> Flow | None:
        flow = self.flows.get(tag)
        if flow is not None:
            self.taken.add(tag)
        return flow

    def all_taken(self) -> bool:
        return len(self.taken) == len(self.flows)


def cut_flow_lists(text: str) -> Cut | None:
    """The text with every JSON-readable number list replaced by a placeholder; None if none is."""
    if "[" not in text:
        return None
    prefix = f"!cnncalc-{secrets.token_hex(6)}-"
    pieces, flows, done, search, failures = [], {}, 0, 0, 0
    while failures < _MAX_FAILURES and (start := _next_opener(text, search)) >= 0:
        try:
            parsed = _parse(text, start)
        except RecursionError:  # hostile nesting: the depth check will refuse the document
            return None
        if parsed is None:
            search, failures = start + 1, failures + 1
            continue
        flow, end = parsed
        tag = f"{prefix}{len(flows)}"
        flows[tag] = flow
        pieces += [text[done:start], f"{tag} [", "\n" * _line_breaks(flow.source), "]"]
        done = search = end
    if not flows:
        return None
    pieces.append(text[done:])
    return Cut("".join(pieces), flows)


def _next_opener(text: str, search: int) -> int:
    """The first '[' from `search` on that starts a value, or -1."""
    at = text.find("[", search)
    while at >= 0 and not _starts_value(text, at):
        at = text.find("[", at + 1)
    return at


def _starts_value(text: str, at: int) -> bool:
    low = max(0, at - _WINDOW)
    newline = text.rfind("\n", low, at)
    if (newline >= 0 or low == 0) and _BLOCK_BEFORE.fullmatch(text, newline + 1, at):
        return True
    return _FLOW_BEFORE.search(text, low, at) is not None


def _parse(text: str, start: int) -> tuple[Flow, int] | None:
    try:
        value, end = _DECODER.raw_decode(text, start)
    except ValueError:  # not JSON, NaN/Infinity, or an integer past Python's digit limit
        return None
    source = text[start:end]
    if '"' in source:
        return None
    try:
        array = np.array(value, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):  # ragged, null, or past the float range
        return None
    if array.ndim > MAX_DEPTH or not np.isfinite(array).all():
        return None
    return Flow(_kept(value, source, array), source, _node_count(array.shape), array.ndim), end


def _kept(value: list, source: str, array: np.ndarray) -> list:
    if len(source) <= _SHORT and not any(mark in source for mark in (".", "e", "E", "-0")):
        return value  # every text is what Python prints
    has_bool = "true" in source or "false" in source
    return KeptList(value, source=source, array=array, has_bool=has_bool)


def _node_count(shape: tuple[int, ...]) -> int:
    """The YAML nodes of a rectangular nested list: its entries and every list holding them."""
    count, lists = 0, 1
    for size in shape:
        count += lists
        lists *= size
    return count + lists


def _line_breaks(source: str) -> int:
    """Line breaks as YAML counts them (\\r\\n is one)."""
    return source.count("\n") + source.count("\r") - source.count("\r\n")


def line_in_flow(source: str, first_line: int, indices: list[int]) -> int:
    """The line of the entry at `indices` (e.g. [1, 0] for x[1][0]) in a flow list that starts
    on `first_line`; read only when an error names that entry."""
    path: list[int] = []  # the index of the current item at each open level
    for match in _STRUCTURE.finditer(source):
        char = match.group()
        if char == "]":
            path.pop()
            continue
        if char == "[":
            path.append(0)
        else:
            path[-1] += 1
        if path == indices:
            entry = _SPACE.match(source, match.end()).end()
            return first_line + _line_breaks(source[:entry])
    return first_line


_STRUCTURE, _SPACE = re.compile(r"[\[\],]"), re.compile(r"\s*")
