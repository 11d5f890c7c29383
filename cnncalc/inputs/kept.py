"""Numbers as the user wrote them: the source text beside the float, the exact value on demand.

A checker compares an answer to the precision written (0.40 is not 0.4) and exact
arithmetic needs 1/10 as a fraction, so the text of every number read survives the
float conversion. Values carry their text only where it differs from what the Python
value would print (`KeptFloat('0.40')`, a `KeptList` with its item texts); everything
else derives its text from the value, so nothing is lost and the common case costs
nothing. Exact values are parsed from the texts only when asked.
"""

from __future__ import annotations

import re
import weakref
from fractions import Fraction
from typing import Callable

import numpy as np

from cnncalc.inputs.literals import NUMBER_RE

_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_DECIMAL = re.compile(r"[+-]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?")


class _Written:
    """A number that remembers the text it was written as."""

    __slots__ = ()
    plain: type

    def __new__(cls, value, text: str):
        self = super().__new__(cls, value)
        self.text = text
        return self

    def __reduce__(self):
        return type(self), (self.plain(self), self.text)


class KeptFloat(_Written, float):
    """A float from a file whose written text differs from its repr ('0.40', '+1.5')."""

    __slots__ = ("text",)
    plain = float


class KeptInt(_Written, int):
    """An integer from a file written otherwise than Python prints it ('+3', '0x10', '1_000')."""

    plain = int  # int subclasses cannot have slots: the text lives in __dict__


class KeptList(list):
    """Nested numbers from a file with their texts: per item (`texts`, None where the item
    prints as written) or for the whole flow list (`source`, the JSON text it was parsed from).
    `array` is the float64 array when the reader already built it (taken once)."""

    __slots__ = ("texts", "source", "array", "has_bool")

    def __init__(self, items, texts=None, source: str | None = None, array=None, has_bool: bool = True):
        super().__init__(items)
        self.texts, self.source, self.array, self.has_bool = texts, source, array, has_bool

    def take_array(self):
        array, self.array = self.array, None
        return array


def text_of(value) -> str | None:
    """The text a plain value was written as (a str is its own text); None for non-numbers."""
    if isinstance(value, (KeptFloat, KeptInt)):
        return value.text
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return float.__repr__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, Fraction):
        return str(value)
    return None


def flat_texts(value) -> list:
    """Texts of nested lists (or one value), flat in C order."""
    if isinstance(value, KeptList) and value.source is not None:
        return _JSON_NUMBER.findall(value.source)
    if not isinstance(value, list):
        return [text_of(value)]
    texts = value.texts if isinstance(value, KeptList) else None
    out = []
    for k, item in enumerate(value):
        if isinstance(item, list):
            out.extend(flat_texts(item))
        else:
            out.append(texts[k] if texts is not None and texts[k] is not None else text_of(item))
    return out


def flat_items(value) -> list:
    """The plain values of nested lists, flat in C order (what YAML made of each text)."""
    if not isinstance(value, list):
        return [value]
    return [leaf for item in value for leaf in flat_items(item)]


def rational(text: str | None, item=None) -> Fraction | None:
    """The exact value of a number's text, or None where it is not rational.

    `item` is the value the reader made of the text, where known: a YAML integer is exact
    whatever its spelling (0x10, 010 octal, 1_000). Decimals, scientific notation and a/b
    (with decimal or integer parts) are exact.
    """
    if isinstance(item, int) and not isinstance(item, bool):
        return Fraction(int(item))
    if isinstance(item, Fraction):
        return item
    if text is None:
        return None
    match = NUMBER_RE.fullmatch(text.replace("_", ""))
    if match is None:
        return None
    num = Fraction(match.group("num"))
    den = match.group("den")
    if den is None:
        return num
    den = Fraction(den)
    return num / den if den else None


def decimals_written(text: str | None) -> int | None:
    """Digits written after the decimal point, less the exponent: '0.40' → 2, '2.5e-3' → 4,
    '3' → 0, '1.2e3' → -2 (known to the hundreds). None for a fraction a/b or no text."""
    if text is None:
        return None
    match = _DECIMAL.fullmatch(text.replace("_", ""))
    if match is None or not (match.group("int") or match.group("frac")):
        return None
    return len(match.group("frac") or "") - int(match.group("exp") or 0)


class Literals:
    """What the user wrote for one tensor: `texts` (flat, C order; None where there is no
    text, e.g. random values), `shape`, and on demand `exact()` and `decimals()` arrays."""

    def __init__(self, shape: tuple[int, ...], texts: Callable[[], list], items: Callable[[], list] | None = None):
        self.shape = tuple(shape)
        self._texts, self._items = texts, items
        self._cache: dict = {}

    @property
    def texts(self) -> tuple:
        if "texts" not in self._cache:
            self._cache["texts"] = tuple(self._texts())
        return self._cache["texts"]

    def exact(self) -> np.ndarray:
        """Object array of `shape`: a Fraction per rational entry, None elsewhere."""
        if "exact" not in self._cache:
            items = self._items() if self._items else [None] * len(self.texts)
            self._cache["exact"] = _object_array(_exact_values(self.texts, items), self.shape)
        return self._cache["exact"]

    def decimals(self) -> np.ndarray:
        """Object array of `shape`: the decimals written per entry (see decimals_written)."""
        if "decimals" not in self._cache:
            items = self._items() if self._items else [None] * len(self.texts)
            places = [0 if isinstance(item, int) and not isinstance(item, bool) else decimals_written(text)
                      for text, item in zip(self.texts, items)]  # a YAML integer in any base: 0
            self._cache["decimals"] = _object_array(places, self.shape)
        return self._cache["decimals"]

    @property
    def is_rational(self) -> bool:
        return all(value is not None for value in self.exact().flat)


def _exact_values(texts: tuple, items: list) -> list:
    """rational() of each (text, item) pair; a text repeated (a fill, a grid of 0s) is parsed once."""
    memo: dict = {}
    values = []
    for text, item in zip(texts, items):
        if isinstance(item, (int, Fraction)) and not isinstance(item, bool):
            values.append(rational(text, item))
            continue
        if text not in memo:
            memo[text] = rational(text, item)
        values.append(memo[text])
    return values


def _object_array(values: list, shape: tuple) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array.reshape(shape)


# Arrays are handed to code that checks isinstance(spec, np.ndarray), so their literals sit
# beside them, keyed by identity and dropped when the array is collected.
_KEPT: dict[int, tuple[weakref.ref, Literals]] = {}


def keep(array: np.ndarray, literals: Literals) -> np.ndarray:
    """Remember `literals` as what `array` was written as; returns `array`."""
    key = id(array)
    _KEPT[key] = (weakref.ref(array, lambda _, key=key, kept=_KEPT: kept.pop(key, None)), literals)
    return array


def kept_literals(array) -> Literals | None:
    entry = _KEPT.get(id(array))
    if entry is None or entry[0]() is not array:
        return None
    return entry[1]
