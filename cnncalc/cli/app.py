"""The command line: one command per declaration in cnncalc.layers, plus `examples`.

Each layer command is load → solve → render (`run`); its options come from the
declaration, so adding an option to a layer touches only the layer's own module.
"""

from __future__ import annotations

import inspect
import sys
from typing import Annotated, Optional

import typer

from cnncalc import __version__
from cnncalc.cli import options as opt
from cnncalc.cli.run import run  # light: the heavy imports happen inside run()
from cnncalc.layers import COMMANDS as SPECS
from cnncalc.vocabulary import DEFAULT_MAX_ELEMENTS

EXAMPLES_EXAMPLE = "cnncalc examples seed001_homework11 --run"
HAND_WRITTEN: dict[str, tuple] = {}  # name → (function, example, shared options): commands that are not layers


def _cli_text(option, value):
    """'2,1' on the command line means the pair [2, 1]."""
    if option.kind in ("pair", "padding") and isinstance(value, str) and "," in value and "[" not in value:
        return f"[{value}]"
    return value


def declared_command(spec):
    """The Typer command of a declared command: its options, then the shared output options."""
    def command(problem_files: list[str] | None = None, output: opt.OutputOptions = opt.OutputOptions(),
                **values):
        fields = {name: _cli_text(spec.option(name), value) for name, value in values.items()}
        return run(spec, list(problem_files or ()), fields, output)

    command.__name__, command.__doc__ = spec.name, spec.help
    own = [PROBLEM_FILES] + [opt.declared_parameter(option) for option in spec.options if option.command and option.cli]
    return opt.with_shared_options(command, opt.TENSOR_OUTPUT if spec.name != "shape" else (), own)


PROBLEM_FILES = inspect.Parameter("problem_files", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                                  annotation=Annotated[Optional[list[str]], typer.Argument(
                                      help="YAML problem files, folders (their *.yaml files, recursively) or - "
                                           "for standard input; several give one section (or JSON line) each. "
                                           "Options override their fields.", show_default=False)])


def build_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every command, or with `only` one: Typer converts the signature
    of each command it holds on every run, so a run builds just the command it needs."""
    # --install-completion and --show-completion belong to `cnncalc` itself; a run of one command
    # skips loading them (3 ms). Completing a word at the shell works either way (click's own hook).
    application = typer.Typer(**APP_SETTINGS, add_completion=only is None)
    application.callback()(_root)
    for name in COMMAND_NAMES:
        if only not in (None, name):
            continue
        if name in SPECS:
            application.command(name, epilog=f"Example: {SPECS[name].example}")(declared_command(SPECS[name]))
        else:
            function, example, shared = HAND_WRITTEN[name]
            wrapped = function if shared is None else opt.with_shared_options(function, shared)
            application.command(name, epilog=f"Example: {example}")(wrapped)
    return application


APP_SETTINGS = dict(
    name="cnncalc",
    help="Forward and backward passes of CNN layers, every intermediate and gradient, checked against PyTorch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: typer's rich help imports markdown-it and pygments (+115 ms)
)


def _version(value: bool) -> None:
    if value:
        print(f"cnncalc {__version__}")
        raise typer.Exit()


def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Forward and backward passes of CNN layers, worked out and checked."""


def examples(
    name: Annotated[Optional[str], typer.Argument(help="An example's name; without one, list them all.",
                                                  show_default=False)] = None,
    run_it: Annotated[bool, typer.Option("--run", help="Solve the example instead of printing its file.",
                                         rich_help_panel=opt.OUTPUT)] = False,
    output: opt.OutputOptions = opt.OutputOptions(),
) -> None:
    """List the bundled example problems, print one, or run it."""
    from cnncalc.cli.listing import show_examples

    return show_examples(name, run_it, output)


HAND_WRITTEN["examples"] = (examples, EXAMPLES_EXAMPLE, ("names", "precision", "index_base", "max_elements"))

CHECK = "Checking"
CHECK_EXAMPLE = "cnncalc check examples/check_homework11_answers.yaml"


def check(
    files: Annotated[list[str], typer.Argument(help="Problem files with expect:, or folders (every *.yaml "
                                                    "inside, recursively).", show_default=False, metavar="FILES...")],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", rich_help_panel=opt.OUTPUT,
                                     help="table, json (one line per file), gradescope, prairielearn or junit."
                                     )] = "table",
    as_json: opt.Json = False,
    tolerance: Annotated[Optional[str], typer.Option(
        "--tolerance", metavar="MODE[:ARGS]", rich_help_panel=CHECK, show_default=False,
        help="written (the decimals written; default), exact, relabs:rtol=0.01,atol=1e-8, sigfig:3 or "
             "decdig:2; overrides the files' tolerance:.")] = None,
    partial: Annotated[bool, typer.Option("--partial-credit", rich_help_panel=CHECK,
                                          help="A share of a name's points for each right entry.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, metavar="N", rich_help_panel=CHECK,
                                      help="Grade in N processes (results in the order given).")] = 1,
    details: Annotated[bool, typer.Option("--details", rich_help_panel=opt.OUTPUT,
                                          help="In a batch, each file's verdict before the summary.")] = False,
    explain: Annotated[bool, typer.Option("--explain", rich_help_panel=opt.EXPLAIN,
                                          help="The right derivation of each wrong entry (and of no other).")] = False,
    index_base: opt.IndexBase = None,
    max_elements: opt.MaxElements = DEFAULT_MAX_ELEMENTS,
    debug: opt.Debug = False,
) -> int:
    """Check your answers (expect: in each file): a verdict per entry, the right value and the accepted
    interval of each wrong one; a summary table for a batch. Exit 0 all right, 1 some wrong, 2 some file bad."""
    from cnncalc.check.report import CheckOptions, run_check

    options = CheckOptions(opt.chosen_format(as_json, fmt), tolerance, partial, jobs, details, explain,
                           index_base, max_elements)
    return run_check(files, options)


HAND_WRITTEN["check"] = (check, CHECK_EXAMPLE, None)
COMMAND_NAMES = ("conv", "pool", "fc", "act", "softmax", "loss", "pipeline", "check", "examples", "shape")
COMMANDS = {name: SPECS.get(name) or HAND_WRITTEN[name] for name in COMMAND_NAMES}


def __getattr__(name: str):
    """`app`, the whole command tree (for --help, completion and tests), built when first asked
    for: a run of one command builds only that command (no work at import)."""
    if name == "app":
        globals()["app"] = build_app()
        return globals()["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; errors become one line on stderr and exit code 2."""
    from cnncalc.cli.errors import run_guarded

    args = (sys.argv[1:] if argv is None else argv) or ["--help"]
    chosen = next((arg for arg in args if not arg.startswith("-")), None)
    sys.exit(run_guarded(build_app(chosen if chosen in COMMANDS else None), args))
