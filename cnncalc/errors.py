"""The one error type of cnncalc and the exit codes it maps to.

Pure standard library: the numeric core raises these too, so it stays free of
any CLI or YAML import.
"""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass, replace


class ExitCode(enum.IntEnum):
    OK = 0
    MISMATCH = 1
    BAD_INPUT = 2


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
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        text = f"{where}{self.field}: expected {self.expected}"
        if self.found:
            text += f", found {self.found}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        return self.message()


def did_you_mean(word: str, choices) -> str:
    """A 'did you mean' hint for a misspelt key or name, or '' if none is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
