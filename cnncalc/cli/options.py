"""Options shared by the commands, declared once and attached by `with_shared_options`.

A command is written with the parameters of its own problem and `output: OutputOptions`;
the decorator adds --format, --json, --precision, --index-base, --names, --max-elements,
--explain, --entry, --symbolic, --max-steps, --standalone, --export-svg, --export-html,
--exact, --show-code, --emit-problem, --force and --debug to the signature Typer reads, and gathers them into
`output`. Nothing heavy is
imported here: `cnncalc --help` must stay fast.
"""

from __future__ import annotations

import functools
import inspect
import typing
from dataclasses import dataclass
from typing import Annotated, Optional

import typer

from cnncalc.vocabulary import DEFAULT_MAX_ELEMENTS

OUTPUT = "Output"
INPUT = "Input"

Format = Annotated[str, typer.Option("--format", "-f", help="table, json, yaml, markdown or latex.", rich_help_panel=OUTPUT,
                                     metavar="FORMAT")]
Json = Annotated[bool, typer.Option("--json", help="Short for --format json.", rich_help_panel=OUTPUT)]
Precision = Annotated[int, typer.Option("--precision", "-p", min=0, max=17, metavar="N",
                                        help="Decimals shown in tables (JSON always has full precision).",
                                        rich_help_panel=OUTPUT)]
IndexBase = Annotated[Optional[int], typer.Option("--index-base", min=0, max=1, metavar="1|0", show_default=False,
                                                  help="Indices from 1 (as on paper) or 0 [default: the file's "
                                                       "index_base:, else 1].", rich_help_panel=OUTPUT)]
Names = Annotated[Optional[str], typer.Option("--names", help="Display names, e.g. x=I,w=W,y=O,L=C.",
                                              rich_help_panel=OUTPUT, metavar="NAME=SHOWN,...")]
MaxElements = Annotated[int, typer.Option("--max-elements", min=1, metavar="N",
                                          help="Refuse tensors with more entries than this.",
                                          rich_help_panel=INPUT)]
EXPLAIN = "Explanation"
Explain = Annotated[bool, typer.Option("--explain", help="Show the derivation, step by step, entry by entry.",
                                       rich_help_panel=EXPLAIN)]
Entry = Annotated[Optional[list[str]], typer.Option(
    "--entry", help="Derive one entry, e.g. dx[2,1] or dL/dI[1,2] (your names and index base); repeatable, "
                    "or a comma list.", rich_help_panel=EXPLAIN, metavar="NAME[i,j]", show_default=False)]
Symbolic = Annotated[bool, typer.Option("--symbolic", help="Formulas in symbols only; tensors may be shapes "
                                        "alone (-x 3x3).", rich_help_panel=EXPLAIN)]
MaxSteps = Annotated[Optional[int], typer.Option("--max-steps", min=0, max=2**31 - 1, metavar="N",
                                                 rich_help_panel=EXPLAIN, show_default=False,
                                                 help="Show at most N steps and say how many were left out (0: all) "
                                                      "[default: the file's max_steps:, else 40].")]
# Write-ups: a whole LaTeX document, the table view saved as SVG or HTML.
WRITEUP = "Write-ups"
Standalone = Annotated[bool, typer.Option("--standalone", help="With --format latex: a whole document "
                                          "(needs only amsmath), not a fragment.", rich_help_panel=WRITEUP)]
ExportSvg = Annotated[Optional[str], typer.Option("--export-svg", metavar="FILE", show_default=False,
                                                  help="Also save the table view, colours kept, as an SVG image.",
                                                  rich_help_panel=WRITEUP)]
ExportHtml = Annotated[Optional[str], typer.Option("--export-html", metavar="FILE", show_default=False,
                                                   help="Also save the table view, colours kept, as an HTML page.",
                                                   rich_help_panel=WRITEUP)]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.", rich_help_panel=OUTPUT)]
# --exact, --show-code, --emit-problem; --force serves every option that writes a file.
Exact = Annotated[bool, typer.Option("--exact", help="Fractions beside the decimals where every input is rational "
                                     "(1/10, 0.5, integers).", rich_help_panel=OUTPUT)]
ShowCode = Annotated[Optional[str], typer.Option("--show-code", metavar="torch|numpy", rich_help_panel=OUTPUT,
                                                 help="Print the equivalent PyTorch (or plain NumPy) code, runnable "
                                                      "as printed, instead of the result.", show_default=False)]
EmitProblem = Annotated[Optional[str], typer.Option("--emit-problem", metavar="FILE", rich_help_panel=OUTPUT,
                                                    help="Also write the problem with its answers as expect: "
                                                         "(an answer key).", show_default=False)]
Force = Annotated[bool, typer.Option("--force", help="Write over files that already exist (--emit-problem, "
                                     "--export-svg, --export-html).", rich_help_panel=WRITEUP)]



@dataclass(frozen=True)
class OutputOptions:
    format: str = "table"
    precision: int = 4
    index_base: int | None = None  # None: the file's index_base:, else 1
    max_elements: int = DEFAULT_MAX_ELEMENTS
    names: str | None = None
    explain: bool = False
    entry: tuple[str, ...] = ()
    symbolic: bool = False
    max_steps: int | None = None  # None: the file's max_steps:, else DEFAULT_MAX_STEPS
    standalone: bool = False
    export_svg: str | None = None
    export_html: str | None = None
    force: bool = False
    exact: bool = False
    show_code: str | None = None
    emit_problem: str | None = None

    @property
    def explained(self) -> bool:
        return self.explain or bool(self.entry) or self.symbolic


# name → (annotation, default), in the order they appear in --help
SHARED = {
    "names": (Names, None), "fmt": (Format, "table"), "as_json": (Json, False), "precision": (Precision, 4),
    "index_base": (IndexBase, None), "max_elements": (MaxElements, DEFAULT_MAX_ELEMENTS), "debug": (Debug, False),
    "explain": (Explain, False), "entry": (Entry, None), "symbolic": (Symbolic, False),
    "max_steps": (MaxSteps, None),
    "standalone": (Standalone, False), "export_svg": (ExportSvg, None), "export_html": (ExportHtml, None),
    "exact": (Exact, False), "show_code": (ShowCode, None), "emit_problem": (EmitProblem, None),
    "force": (Force, False),
}
TENSOR_OUTPUT = tuple(SHARED)  # every shared option: the layer commands and pipeline


def chosen_format(as_json: bool, fmt: str) -> str:
    """--format, or json for --json; both naming different formats is a contradiction, not a choice."""
    fmt = fmt.lower()
    if as_json and fmt not in ("json", "table"):  # table is --format's default: not a choice made
        from cnncalc.errors import CnnError

        raise CnnError("--json", "--json or --format, not both", f"--format {fmt} too", hint="keep one of them")
    return "json" if as_json else fmt


def with_shared_options(function, names: tuple[str, ...], own: list[inspect.Parameter] | None = None):
    """`function` (taking `output`) with the shared options `names`, plus --format, --json and
    --debug, in the signature Typer reads; done only for the commands a run builds. `own` gives
    the command's own parameters when they are generated (from cnncalc.layers) rather than written."""
    wanted = [name for name in SHARED if name in names + ("fmt", "as_json", "debug")]
    if own is None:
        hints = typing.get_type_hints(function, include_extras=True)
        own = [p.replace(annotation=hints[p.name]) for p in inspect.signature(function).parameters.values()
               if p.name != "output"]
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=SHARED[name][1],
                               annotation=SHARED[name][0]) for name in wanted]

    @functools.wraps(function)
    def command(**kwargs):
        values = {name: kwargs.pop(name) for name in wanted}
        as_json, fmt = values.pop("as_json"), values.pop("fmt")
        values.pop("debug")  # read from argv by the error handler, before Typer runs
        if "entry" in values:
            values["entry"] = tuple(values["entry"] or ())
        return function(**kwargs, output=OutputOptions(chosen_format(as_json, fmt), **values))

    command.__signature__ = inspect.Signature(own + extra)
    command.__annotations__ = {p.name: p.annotation for p in own + extra}
    return command


METAVARS = {"tensor": "TENSOR", "shape": "SHAPE", "int": "N", "choice": "WORD", "bool": "true|false",
            "list": "NAMES"}


def declared_parameter(option) -> inspect.Parameter:
    """The Typer parameter of an option declared in cnncalc.layers."""
    shown = option.help + ("" if option.default_text in ("—", "false") else f" [default {option.default_text}]")
    if option.kind == "flag":
        annotation = Annotated[Optional[bool], typer.Option(*option.flags, help=option.help, rich_help_panel=INPUT,
                                                            show_default=False)]
    else:
        annotation = Annotated[Optional[str], typer.Option(*option.flags, help=shown, rich_help_panel=INPUT,
                                                           show_default=False,
                                                           metavar=METAVARS.get(option.kind, "VALUE"))]
    return inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)

