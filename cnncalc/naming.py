"""The user's notation, owned in one place: display names, the reverse lookup, the index base,
and how one entry is written.

Canonical names (x, w, y, dx, conv_1, dL/dconv_1.weight, ...) are what the code and JSON use;
display names are the user's (`--names x=I,w=W,y=O,L=C`). A gradient's display name is built
from the loss's and its target's (dx → dC/dI), from an explicit map of which canonical name is
the gradient of which: never from a string prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cnncalc.errors import CnnError, did_you_mean, shape_text

# The gradients of the single-layer commands: dx is dL/dx, and so on.
LAYER_GRADIENTS = {"dx": "x", "dw": "w", "db": "b", "dy": "y", "dp": "p", "dz": "z"}


def pipeline_gradients(names) -> dict[str, str]:
    """A pipeline's gradients: dL/d<name> for every intermediate and parameter."""
    return {f"dL/d{name}": name for name in names}


@dataclass(frozen=True)
class Naming:
    """Display names, their reverse, the index base and the spelling of an entry."""

    display: dict[str, str] = field(default_factory=dict)    # canonical → the user's name
    gradients: dict[str, str] = field(default_factory=dict)  # gradient's canonical name → its target's
    base: int = 1                                            # indices as on paper (1) or as in code (0)

    @property
    def loss(self) -> str:
        return self.display.get("L", "L")

    def shown(self, name: str) -> str:
        """The user's name for a canonical one: dx shows as dL/dx, or dC/dI with names."""
        if name in self.display:
            return self.display[name]
        if name in self.gradients:
            return f"d{self.loss}/d{self.shown(self.gradients[name])}"
        return name

    def canonical(self, text: str, known, field: str = "name") -> str:
        """The canonical name for `text`, given as a canonical or a display name among `known`."""
        spellings = {name: name for name in known} | {self.shown(name): name for name in known}
        if text in spellings:
            return spellings[text]
        raise CnnError(field, f"a name of this problem ({', '.join(spellings)})", f"'{text}'",
                       hint=did_you_mean(text, list(spellings)))

    def check_distinct(self, known, field: str = "names") -> None:
        """Refuse names that would show two of `known` the same way (x=A,w=A, or x shown as y):
        every table, entry and reverse lookup would mix them up."""
        seen: dict[str, str] = {}
        for name in known:
            shown = self.shown(name)
            if seen.setdefault(shown, name) != name:
                raise CnnError(field, "a different name for each tensor",
                               f"'{shown}' for both {seen[shown]} and {name}")

    def index(self, index: tuple[int, ...]) -> tuple[int, ...]:
        """0-based indices as the user counts them."""
        return tuple(int(i) + self.base for i in index)

    def person_index(self, index: tuple[int, ...], shape: tuple[int, ...] | None = None) -> tuple[int, ...]:
        """A 0-based entry's indices as a person writes them: axes of length 1 dropped, in the index
        base (the second entry (1, 0) of a 2×1 kernel is (2,) in base 1)."""
        return self.index(_person_axes(index, shape))

    def entry(self, name: str, index: tuple[int, ...], shape: tuple[int, ...] | None = None) -> str:
        """One entry as written in tables and messages: x[2,1] (in the user's index base)."""
        kept = self.person_index(index, shape)
        if not kept:
            return self.shown(name)
        return f"{self.shown(name)}[{','.join(map(str, kept))}]"

    def subscript(self, name: str, index: tuple[int, ...], shape: tuple[int, ...] | None = None) -> str:
        """One entry as written on paper: W_12, k_2 for a column kernel, x_{10,2} past one digit."""
        kept = self.person_index(index, shape)
        if not kept:
            return self.shown(name)
        shown = self.shown(name)
        # Run together only where it cannot be misread: up to two one-digit indices, after a name
        # that does not end in a digit (W_12, not conv_1_111 or x_101).
        plain = len(kept) <= 2 and all(i < 10 for i in kept) and not shown[-1:].isdigit()
        joined = "".join(map(str, kept)) if plain else "{" + ",".join(map(str, kept)) + "}"
        return f"{shown}_{joined}"

    def read_index(self, written, name: str, shape: tuple[int, ...], field: str, found: str | None = None
                   ) -> tuple[int, ...]:
        """The 0-based index of indices written in this base ("2,1", "[2,1]", 3), the reverse of
        entry(): axes of length 1 may be left out. `found` is what an error quotes (default: written)."""
        text = str(written).strip().strip("[]()")
        parts = [part.strip() for part in text.split(",")] if text else []
        quoted = found if found is not None else repr(str(written))
        if not all(re.fullmatch(r"-?\d+", part) for part in parts):
            raise CnnError(field, f"an entry of {self.shown(name)} written as indices, like \"2,1\"", quoted)
        index = _full_index([int(part) - self.base for part in parts], shape)
        if index is None or not all(0 <= i < n for i, n in zip(index, shape)):
            last = ",".join(str(n - 1 + self.base) for n in shape if n != 1) or "no index"
            raise CnnError(field, f"an entry of {self.shown(name)} ({shape_text(shape)}: indices from {self.base} "
                                  f"to [{last}], index base {self.base})", quoted,
                           hint="--index-base (or a file's index_base:) sets where indices start")
        return index


def _full_index(given: list[int], shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """Indices for every axis, or for the axes longer than 1 (the others are 0); None if neither."""
    if len(given) == len(shape):
        return tuple(given)
    kept = [axis for axis, n in enumerate(shape) if n != 1]
    if len(given) != len(kept):
        return None
    index = [0] * len(shape)
    for axis, value in zip(kept, given):
        index[axis] = value
    return tuple(index)


def _person_axes(index: tuple[int, ...], shape: tuple[int, ...] | None) -> tuple[int, ...]:
    """The indices a person writes: axes of length 1 dropped (a 2×1 kernel's entries are k_1, k_2)."""
    if shape is None:
        return tuple(index)
    kept = tuple(i for i, n in zip(index, shape) if n != 1)
    return kept
