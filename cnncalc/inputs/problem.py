"""A problem: the fields of a YAML file, overridden by command-line options.

Each command declares its fields once (name → reader); reading checks for
unknown keys (with a 'did you mean'), runs each reader, and attaches the file
and line to any error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

from cnncalc.errors import CnnError, did_you_mean
from cnncalc.inputs.fields import SHOWING_READERS
from cnncalc.vocabulary import DEFAULT_MAX_ELEMENTS
from cnncalc.naming import Naming
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the YAML reader (and libyaml) is imported only when there is a file to read
    from cnncalc.inputs.yamlfile import Document

# Keys any problem file may carry for other tools (check, graders) and people.
COMMON_KEYS = ("title", "description", "source", "names", "expect", "tolerance", "points", "command")
# How a file asks to be shown (the shared output options of the same names; the command line adds to them).
SHOWING_KEYS = tuple(SHOWING_READERS)


@dataclass
class Problem:
    """Raw field values with where they came from; readers turn them into typed values."""

    values: dict
    document: Document | None = None
    from_options: set = field(default_factory=set)
    max_elements: int = DEFAULT_MAX_ELEMENTS
    index_base: int = 1
    notes: list = field(default_factory=list)  # what the reading itself has to tell the user

    def tensor(self, key: str):
        """The tensor spec of `key` (values, a fill, random values, a shape), or None when absent."""
        from cnncalc.inputs.tensors import default_seed_note, read_tensor

        spec = self.read(key, lambda raw, path: read_tensor(raw, path, self.max_elements))
        note = default_seed_note(spec, key)
        if note:
            self.notes.append(note)
        return spec

    def has(self, key: str) -> bool:
        return self.values.get(key) is not None

    def read(self, key: str, reader: Callable, default=None):
        """reader(raw, field) on the value of `key`, or `default` if it is absent."""
        if not self.has(key):
            return default
        try:
            return reader(self.values[key], key)
        except CnnError as error:
            located = self.locate(error)  # the line is found from the 0-based path, then the entry is renamed
            raise replace(located, field=entry_in_base(located.field, self.index_base)) from None

    def option(self, option):
        """The typed value of a declared option (cnncalc.layers), or its default when absent."""
        return self.read(option.name, option.read, option.default)

    def options(self, spec) -> dict:
        """Every declared option of `spec` that is not a tensor, read and validated."""
        return {option.name: self.option(option) for option in spec.options
                if option.command and option.kind != "tensor"}

    def locate(self, error: CnnError) -> CnnError:
        key = error.field.split(".")[0].split("[")[0]
        if key in self.from_options or self.document is None:
            return error
        return self.document.locate(error)


ENTRY_PATH = re.compile(r"(?P<name>[A-Za-z_]\w*)(?P<index>(?:\[\d+\])+)")


def entry_in_base(field: str, base: int) -> str:
    """'x[1][0]' (a path into the file's lists) as the entry x[2,1] in the user's index base;
    a path into `layers` is a list position, not an entry, and stays as it is."""
    match = ENTRY_PATH.fullmatch(field)
    if not match or match.group("name") == "layers":
        return field
    index = tuple(int(i) for i in re.findall(r"\d+", match.group("index")))
    return Naming(base=base).entry(match.group("name"), index)


def load_problem(path: str | None, options: dict, known: tuple[str, ...],
                 max_elements: int = DEFAULT_MAX_ELEMENTS, command: str | None = None,
                 index_base: int = 1) -> Problem:
    """The file at `path` (or none), with every option that was given laid over it."""
    document = None
    if path:
        from cnncalc.inputs.yamlfile import load_document

        try:
            document = load_document(path, max_elements)
        except CnnError as error:
            raise replace(error, field=entry_in_base(error.field, index_base)) from None
    return problem_from_document(document, options, known, max_elements, command, index_base)


def problem_from_document(document: Document | None, options: dict, known: tuple[str, ...],
                          max_elements: int = DEFAULT_MAX_ELEMENTS, command: str | None = None,
                          index_base: int = 1) -> Problem:
    """A problem from a document already read (`cnncalc check` reads `command:` first), options laid over it."""
    values = dict(document.data) if document else {}
    _check_command(values, command, document)
    _check_keys(values, known, document)
    given = {key: value for key, value in options.items() if value is not None}
    values.update(given)
    return Problem(values, document, set(given), max_elements, index_base)


def _check_keys(values: dict, known: tuple[str, ...], document: Document | None) -> None:
    allowed = known + COMMON_KEYS + SHOWING_KEYS
    for key in values:
        if key not in allowed:
            error = CnnError(key, f"one of the fields {', '.join(known)}", f"unknown field '{key}'",
                             hint=did_you_mean(key, allowed))
            raise document.locate(error) if document else error



def _check_command(values: dict, command: str | None, document: Document | None) -> None:
    """A file that says which command it is for is refused by the others, naming the right one."""
    written = values.get("command")
    if command is None or written is None or str(written).strip() == command:
        return
    error = CnnError("command", f"{'an' if command[0] in 'aeiou' else 'a'} {command} problem", f"a file for '{written}'",
                     hint=f"run it with: cnncalc {str(written).strip()} {document.name if document else 'FILE'}")
    raise document.locate(error) if document else error
