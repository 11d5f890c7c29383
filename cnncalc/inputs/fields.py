"""Readers for the scalar fields of a problem: integers, pairs, choices, names.

Each takes the raw value (from YAML, or an option's text) and the field path,
and returns a typed value or raises CnnError naming the field.
"""

from __future__ import annotations

import difflib

from cnncalc.errors import CnnError, did_you_mean, has_unprintable, printable
from cnncalc.inputs.literals import number_from, parse_literal
from cnncalc.vocabulary import PADDING_EXPECTED, PADDING_WORDS, spoken

LARGEST = 2**31 - 1  # no stride, size or padding of a hand problem comes near; NumPy wants C ints


def _in_range(values: list, field: str, raw) -> None:
    if max(values) > LARGEST:
        raise CnnError(field, f"integers of at most {LARGEST:,}", repr(raw)[:40])


def _parsed(raw, field: str):
    """Option text parsed as a literal; YAML values pass through."""
    if isinstance(raw, str) and raw.strip() and not raw.strip()[0].isalpha():
        return parse_literal(raw, field)
    return raw


def read_int(minimum: int, maximum: int | None = None):
    def reader(raw, field: str) -> int:
        value = _parsed(raw, field)
        bad = isinstance(value, bool) or not isinstance(value, int) or value < minimum
        if bad or (maximum is not None and value > maximum):
            expected = f"an integer of at least {minimum}" if maximum is None else \
                f"an integer from {minimum} to {maximum}"
            raise CnnError(field, expected, printable(repr(raw), 40))
        _in_range([value], field, raw)
        return value
    return reader


def read_number(raw, field: str) -> float:
    return float(number_from(raw, field))


def read_int_or_pair(minimum: int):
    """An int or a pair [rows, cols]; kept as written (the geometry module checks ranges)."""
    def reader(raw, field: str):
        value = _parsed(raw, field)
        items = value if isinstance(value, list) else [value]
        if len(items) not in (1, 2) or any(isinstance(v, bool) or not isinstance(v, int) for v in items):
            raise CnnError(field, "an integer or a pair of integers", repr(raw))
        if min(items) < minimum:
            raise CnnError(field, f"integers of at least {minimum}", repr(raw))
        _in_range(items, field, raw)
        return value
    return reader


def read_padding(raw, field: str):
    """p, [p_rows, p_cols], [[top, bottom], [left, right]], valid, same or full."""
    if isinstance(raw, str) and raw.strip().lower() in PADDING_WORDS:
        return raw.strip().lower()
    if isinstance(raw, str) and raw.strip()[:1].isalpha():
        word = raw.strip()
        raise CnnError(field, PADDING_EXPECTED, repr(word), hint=did_you_mean(word.lower(), PADDING_WORDS))
    value = _parsed(raw, field)
    flat = value if isinstance(value, list) else [value]
    flat = [v for item in flat for v in (item if isinstance(item, list) else [item])]
    if not flat or any(isinstance(v, bool) or not isinstance(v, int) for v in flat):
        raise CnnError(field, f"integers, or {spoken(PADDING_WORDS)}", repr(raw))
    if min(flat) < 0:
        raise CnnError(field, "padding of at least 0", repr(raw))
    _in_range(flat, field, raw)
    return value


def read_choice(choices: tuple[str, ...], aliases: dict[str, str] | None = None):
    aliases = aliases or {}

    def reader(raw, field: str) -> str:
        word = str(raw).strip().lower().replace("-", "_")
        word = aliases.get(word, word)
        if word not in choices:
            spellings = {choice.replace("-", "_"): choice for choice in choices}
            spellings |= {alias: target for alias, target in aliases.items() if target in choices}
            close = difflib.get_close_matches(word, list(spellings), n=1, cutoff=0.6)
            hint = f"did you mean '{spellings[close[0]]}'?" if close else ""
            raise CnnError(field, f"one of {', '.join(choices)}", repr(raw), hint=hint)
        return word
    return reader


def read_names(raw, field: str) -> dict[str, str]:
    """Display names: 'x=I,w=W,y=O' on the command line, or a mapping in YAML."""
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, str):
        pairs = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            if "=" not in part:
                raise CnnError(field, "name=display pairs like x=I,w=W", repr(part))
            key, _, shown = part.partition("=")
            pairs.append((key.strip(), shown.strip()))
    else:
        raise CnnError(field, "name=display pairs like x=I,w=W", repr(raw))
    names = {}
    for key, shown in pairs:
        if not str(key) or not str(shown):
            raise CnnError(field, "a canonical name and a display name", printable(repr(f"{key}={shown}"), 60))
        names[str(key)] = read_display_name(shown, f"{field}.{key}")
    return names


MAX_NAME = 64  # characters of a display or layer name: a title, not a paragraph


def read_display_name(raw, field: str) -> str:
    """A name shown in titles and messages: one short line of text (a word, a number), no
    control character (a downloaded file must not drive the user's terminal)."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        found = "a list" if isinstance(raw, list) else "a mapping" if isinstance(raw, dict) else repr(raw)
        raise CnnError(field, "a name: a word or a number", found)
    text = str(raw).strip()
    if not text:
        raise CnnError(field, "a name: a word or a number", "an empty name")
    if has_unprintable(text):
        raise CnnError(field, "a name of printable characters", f"{printable(repr(text), 60)} (a control character)")
    if len(text) > MAX_NAME:
        raise CnnError(field, f"a name of at most {MAX_NAME} characters", f"{len(text):,} characters")
    return text


def read_bool(raw, field: str) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in ("true", "yes", "1", "on"):
        return True
    if word in ("false", "no", "0", "off"):
        return False
    raise CnnError(field, "true or false", repr(raw))


def _passthrough(raw, field: str):
    return raw


def _read_shape_uncapped(raw, field: str):
    """A shape alone allocates nothing, so no size is refused here."""
    import sys

    from cnncalc.inputs.tensors import read_shape

    if isinstance(raw, str) and raw.strip().startswith("["):  # --input '[5, 5]', as the message offers
        raw = parse_literal(raw, field)
    return read_shape(raw, field, sys.maxsize)


def _read_list(raw, field: str):
    """--only: names separated by commas, or a YAML list of names."""
    if isinstance(raw, str):
        return [name.strip() for name in raw.split(",") if name.strip()]
    items = raw if isinstance(raw, list) else [raw]
    for k, item in enumerate(items):
        if isinstance(item, (bool, list, dict)) or item is None:
            raise CnnError(f"{field}[{k}]" if isinstance(raw, list) else field, "names of tensors, like fc_1,L",
                           printable(repr(item), 40))
    return [str(item) for item in items]


def read_entries(raw, field: str) -> tuple[str, ...]:
    """entry: one entry like dx[2,1], or a list of them (commas inside brackets stay with their entry)."""
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise CnnError(field, "an entry like dx[2,1], or a list of them", printable(repr(raw), 40))
    return tuple(items)


# What a problem file may ask of the output, beside its command's own fields.
SHOWING_READERS = {"explain": read_bool, "symbolic": read_bool, "entry": read_entries,
                   "max_steps": read_int(0, LARGEST), "index_base": read_int(0, 1)}


def reader_for(option):
    """The reader of an option declared in cnncalc.layers (see Option.kind)."""
    readers = {
        "tensor": _passthrough,
        "int": lambda: read_int(option.minimum),
        "pair": lambda: read_int_or_pair(option.minimum),
        "padding": lambda: read_padding,
        "choice": lambda: read_choice(option.choices, option.aliases),
        "bool": lambda: read_bool,
        "flag": lambda: read_bool,
        "number": lambda: read_number,
        "shape": lambda: _read_shape_uncapped,
        "list": lambda: _read_list,
    }
    made = readers[option.kind]
    return made if made is _passthrough else made()
