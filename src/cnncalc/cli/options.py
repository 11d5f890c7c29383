"""Options shared by every command, declared once.

Each command lists these aliases in its signature; `OutputOptions.from_args`
gathers them. Nothing heavy is imported here: `cnncalc --help` must stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Optional

import typer

OUTPUT = "Output"
DEFAULT_MAX_ELEMENTS = 10_000_000  # the same as inputs.tensors.DEFAULT_MAX_ELEMENTS, without importing NumPy
INPUT = "Input"

Format = Annotated[str, typer.Option("--format", "-f", help="table, json or yaml.", rich_help_panel=OUTPUT,
                                     metavar="FORMAT")]
Json = Annotated[bool, typer.Option("--json", help="Short for --format json.", rich_help_panel=OUTPUT)]
Precision = Annotated[int, typer.Option("--precision", "-p", min=0, max=17, metavar="N",
                                        help="Decimals shown in tables (JSON always has full precision).",
                                        rich_help_panel=OUTPUT)]
IndexBase = Annotated[int, typer.Option("--index-base", min=0, max=1, metavar="1|0",
                                        help="Row/column labels from 1 (as on paper) or 0.",
                                        rich_help_panel=OUTPUT)]
Names = Annotated[Optional[str], typer.Option("--names", help="Display names, e.g. x=I,w=W,y=O,L=C.",
                                              rich_help_panel=OUTPUT, metavar="NAME=SHOWN,...")]
MaxElements = Annotated[int, typer.Option("--max-elements", min=1, metavar="N",
                                          help="Refuse tensors with more entries than this.",
                                          rich_help_panel=INPUT)]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.", rich_help_panel=OUTPUT)]
ProblemFile = Annotated[Optional[str], typer.Argument(
    help="YAML problem file, or - for standard input. Options override its fields.", show_default=False)]


def tensor_option(flag: str, help_text: str, short: str | None = None):
    """An option holding a tensor literal: '[[1,2],[3,4]]', '1 2; 3 4', '{fill: 0.1}'."""
    flags = (flag, short) if short else (flag,)
    return Annotated[Optional[str], typer.Option(*flags, help=help_text, rich_help_panel=INPUT,
                                                 show_default=False, metavar="TENSOR")]


def text_option(flag: str, help_text: str, metavar: str = "VALUE"):
    return Annotated[Optional[str], typer.Option(flag, help=help_text, rich_help_panel=INPUT,
                                                 show_default=False, metavar=metavar)]


@dataclass(frozen=True)
class OutputOptions:
    format: str
    precision: int
    index_base: int
    max_elements: int


def output_options(fmt: str, as_json: bool, precision: int, index_base: int, max_elements: int) -> OutputOptions:
    return OutputOptions("json" if as_json else fmt.lower(), precision, index_base, max_elements)
