"""How a command's options are declared: once, in the command's own module.

From one `Option` come the command's CLI flag and help, the problem file's field, the
field of a pipeline layer of that type, the reader that validates it (with the allowed
words and aliases, and a did-you-mean), and the README's option table. Nothing here
imports NumPy, YAML or Typer: `cnncalc --help` reads these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

# What an option holds; each kind has one reader in cnncalc.inputs.fields.
KINDS = ("tensor", "int", "pair", "padding", "choice", "bool", "flag", "number", "shape", "list")


@dataclass(frozen=True)
class Option:
    """One option of a command: its field, how it is read, how it is shown."""

    name: str                      # the field in a problem file and the JSON parameter: count_include_pad
    kind: str                      # one of KINDS
    help: str
    default: object = None         # the value when absent (None: absent)
    choices: tuple[str, ...] = ()  # kind 'choice': the allowed words
    aliases: dict = field(default_factory=dict)  # other spellings → a choice
    minimum: int = 0               # kinds 'int' and 'pair'
    short: str | None = None       # a short flag: -x
    flag: str | None = None        # the long flag when it is not --name-with-dashes
    torch: str | None = None       # PyTorch's name for it, where PyTorch has one
    command: bool = True           # a field of the command's problem file
    cli: bool = True               # also a flag on the command line
    pipeline: str | None = None    # its field in a pipeline layer (None: not a layer field)
    layers: tuple[str, ...] = ()   # pipeline layer types that take it (empty: every type of the spec)
    shown_default: str | None = None  # the default in words, where the value alone would not say it

    @property
    def default_text(self) -> str:
        """The default as --help and the README state it."""
        if self.shown_default is not None:
            return self.shown_default
        if isinstance(self.default, bool):
            return str(self.default).lower()
        return "—" if self.default is None else str(self.default)

    @property
    def long_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def flags(self) -> tuple[str, ...]:
        return (self.long_flag, self.short) if self.short else (self.long_flag,)

    def but(self, **changes) -> "Option":
        """The same option with some attributes changed (a command's own help or default)."""
        return replace(self, **changes)

    def read(self, raw, path: str):
        """The typed value of `raw` (YAML or option text), or CnnError naming `path`."""
        from cnncalc.inputs.fields import reader_for

        return reader_for(self)(raw, path)


@dataclass(frozen=True)
class CommandSpec:
    """A command: its options, the names it produces, its example and its solver."""

    name: str
    help: str
    example: str
    options: tuple[Option, ...]
    names: tuple[str, ...] = ()          # canonical names of what it shows (for --names, expect:)
    solver: Callable | None = None       # () -> the module with read(problem) and solve(problem, cap)
    layer_types: tuple[str, ...] = ()    # pipeline layer types this spec declares
    type_aliases: dict = field(default_factory=dict)

    def option(self, name: str) -> Option:
        return next(option for option in self.options if option.name == name)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields of its problem file."""
        return tuple(option.name for option in self.options if option.command)

    def layer_options(self, layer_type: str) -> tuple[Option, ...]:
        """The options a pipeline layer of `layer_type` takes, by their pipeline field."""
        return tuple(option for option in self.options
                     if option.pipeline and (not option.layers or layer_type in option.layers))
