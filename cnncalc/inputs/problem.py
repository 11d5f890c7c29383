"""A problem: the fields of a YAML file, overridden by command-line options.

Each command declares its fields once (name → reader); reading checks for
unknown keys (with a 'did you mean'), runs each reader, and attaches the file
and line to any error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from cnncalc.errors import CnnError, did_you_mean
from cnncalc.inputs.tensors import DEFAULT_MAX_ELEMENTS
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the YAML reader (and libyaml) is imported only when there is a file to read
    from cnncalc.inputs.yamlfile import Document

# Keys any problem file may carry for other tools (check, graders) and people.
COMMON_KEYS = ("title", "description", "source", "names", "expect", "tolerance", "command")
# How a file asks to be shown (the shared output options of the same names; the command line adds to them).
SHOWING_KEYS = ("explain", "symbolic", "entry", "max_steps", "index_base")


@dataclass
class Problem:
    """Raw field values with where they came from; readers turn them into typed values."""

    values: dict
    document: Document | None = None
    from_options: set = field(default_factory=set)
    max_elements: int = DEFAULT_MAX_ELEMENTS
    index_base: int = 1

    def has(self, key: str) -> bool:
        return self.values.get(key) is not None

    def read(self, key: str, reader: Callable, default=None):
        """reader(raw, field) on the value of `key`, or `default` if it is absent."""
        if not self.has(key):
            return default
        try:
            return reader(self.values[key], key)
        except CnnError as error:
            raise self.locate(error) from None

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


def load_problem(path: str | None, options: dict, known: tuple[str, ...],
                 max_elements: int = DEFAULT_MAX_ELEMENTS, command: str | None = None,
                 index_base: int = 1) -> Problem:
    """The file at `path` (or none), with every option that was given laid over it."""
    document = None
    if path:
        from cnncalc.inputs.yamlfile import load_document

        document = load_document(path, max_elements)
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
    error = CnnError("command", f"a {command} problem", f"a file for '{written}'",
                     hint=f"run it with: cnncalc {str(written).strip()} {document.name if document else 'FILE'}")
    raise document.locate(error) if document else error
