"""The user's notation as LaTeX math: dL/dW → \\frac{\\partial L}{\\partial W}, W_12 → W_{12}.

Every name goes through Naming (display names, gradients, the index base, unit axes dropped);
this module only spells what Naming decided. Text that mixes words and math carries the math
between MATH_OPEN and MATH_CLOSE, so one derivation line serves LaTeX and Markdown alike:
`segments(line)` splits it again.
"""

from __future__ import annotations

from cnncalc.render.latex_text import identifier, with_subscript

MATH_OPEN, MATH_CLOSE = "\x0e", "\x0f"
ALIGN = "\x02"   # inside math: the alignment point of an equation (& in align*)
BREAK = "\x03"   # inside math: where a long equation may continue on the next line


def math(tex: str) -> str:
    """`tex` marked as math inside a line of text."""
    return f"{MATH_OPEN}{tex}{MATH_CLOSE}"


def segments(line: str) -> list[tuple[bool, str]]:
    """(is_math, text) pieces of a line built with math(); empty pieces dropped."""
    pieces, rest = [], line
    while MATH_OPEN in rest:
        before, _, after = rest.partition(MATH_OPEN)
        inside, _, rest = after.partition(MATH_CLOSE)
        pieces += [(False, before), (True, inside)]
    pieces.append((False, rest))
    return [(is_math, text) for is_math, text in pieces if text]


def plain_math(tex: str) -> str:
    """Math with the alignment and break marks removed (for inline use)."""
    return tex.replace(ALIGN, "").replace(BREAK, "")


class TexNames:
    """Names and entries of one result in LaTeX, from its Naming."""

    def __init__(self, naming):
        self.naming = naming

    def name(self, key: str) -> str:
        """A tensor's name: the user's display name, or ∂L/∂target for a gradient."""
        return self._spelt(key, "")

    def entry(self, key: str, index, shape) -> str:
        """One entry with its subscript as Naming writes it (W_{12}, \\frac{\\partial L}{\\partial O_{11}})."""
        written = self.naming.subscript(key, tuple(index), shape)
        shown = self.naming.shown(key)
        subscript = written[len(shown) + 1:] if written != shown else ""
        return self._spelt(key, subscript.strip("{}"))

    def _spelt(self, key: str, subscript: str) -> str:
        naming = self.naming
        if key in naming.display or key not in naming.gradients:
            return with_subscript(identifier(naming.shown(key)), subscript)
        target = with_subscript(identifier(naming.shown(naming.gradients[key])), subscript)
        return rf"\frac{{\partial {identifier(naming.loss)}}}{{\partial {target}}}"
