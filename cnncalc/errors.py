"""The one error type of cnncalc and the exit codes it maps to.

Pure standard library: the numeric core raises these too, so it stays free of
any CLI or YAML import.
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass, replace

# Characters that move a terminal's cursor, change its state or reorder text: C0 and C1 controls
# (ESC, BEL, CR, ...), DEL, the Unicode line and paragraph separators, zero-width and bidi marks,
# surrogates and tag characters. A message shows them escaped (\x1b, \u2028), never raw.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                          "\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]")
MESSAGE_PART = 160  # characters of one part of a message (a field path, what was found)
CARET_WINDOW = 80   # characters of the user's text shown before a bad token


def has_unprintable(text: str) -> bool:
    """True if `text` holds a character a terminal would act on instead of showing."""
    return _UNPRINTABLE.search(text) is not None


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, limit: int | None = None) -> str:
    """`text` with every control character escaped, on one line, cut to `limit` characters."""
    shown = _UNPRINTABLE.sub(_escape, str(text))
    if limit is not None and len(shown) > limit:
        cut = max(limit - 30, 10)
        shown = f"{shown[:cut]}... ({len(shown) - cut:,} more characters)"
    return shown


def window(text: str, start: int, end: int, width: int = CARET_WINDOW) -> tuple[str, int, int]:
    """A short, escaped window of `text` around text[start:end], and where that token sits in it.

    The user's text can be megabytes or hold ESC and CR; an error quotes at most `width`
    characters before the bad token, the token (cut to half of that) and half as many after,
    marked '...' where cut."""
    end = min(max(end, start), start + width // 2)
    before, after = max(0, start - width), min(len(text), end + width // 2)
    head, token, tail = (printable(part) for part in (text[before:start], text[start:end], text[end:after]))
    head = ("..." if before > 0 else "") + head
    tail = tail + ("..." if after < len(text) else "")
    return head + token + tail, len(head), len(head) + len(token)


class ExitCode(enum.IntEnum):
    OK = 0
    MISMATCH = 1
    BAD_INPUT = 2
    INTERNAL = 70       # a bug of ours (EX_SOFTWARE): "internal error", with --debug for the traceback
    INTERRUPTED = 130   # Ctrl-C, as shells report SIGINT


@dataclass(eq=False)
class CnnError(Exception):
    """A problem with what the user gave, located as precisely as we can.

    `field` is a path such as ``padding`` or ``layers[2].stride``; `file` and
    `line` are filled in by the input side when the value came from a file.
    """

    field: str
    expected: str
    found: str = ""
    hint: str = ""
    file: str | None = None
    line: int | None = None
    caret: str | None = None

    def located(self, file: str | None = None, line: int | None = None) -> "CnnError":
        """The same error with a file and line, keeping any already known."""
        return replace(self, file=self.file or file, line=self.line or line)

    def under(self, prefix: str) -> "CnnError":
        """The same error with its field path placed under `prefix`."""
        if not prefix:
            return self
        field = f"{prefix}.{self.field}" if self.field and not self.field.startswith("[") else f"{prefix}{self.field}"
        return replace(self, field=field)

    def message(self) -> str:
        """One line: every part escaped (no control character reaches the terminal) and bounded."""
        where = ""
        if self.file:
            where = printable(self.file, MESSAGE_PART) + (f":{self.line}" if self.line else "") + ": "
        text = f"{where}{printable(self.field, MESSAGE_PART)}: expected {printable(self.expected, 4 * MESSAGE_PART)}"
        if self.found:
            text += f", found {printable(self.found, MESSAGE_PART)}"
        if self.hint:
            text += f" ({printable(self.hint, 2 * MESSAGE_PART)})"
        return text

    def caret_lines(self) -> list[str]:
        """The quoted text and the caret under its bad token, each one printable line."""
        if not self.caret:
            return []
        quoted, _, marks = self.caret.partition("\n")
        return [printable(quoted, 2 * CARET_WINDOW), printable(marks, 2 * CARET_WINDOW)]

    def __str__(self) -> str:
        return self.message()


def did_you_mean(word: str, choices) -> str:
    """A 'did you mean' hint for a misspelt key or name, or '' if none is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def shape_text(shape) -> str:
    """A shape as people write it in messages: 3×4, or "a scalar"."""
    return "×".join(str(n) for n in shape) if len(shape) else "a scalar"
