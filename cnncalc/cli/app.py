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
    application = typer.Typer(**APP_SETTINGS)
    application.callback()(_root)
    for name in COMMAND_NAMES:
        if only not in (None, name):
            continue
        if name in SPECS:
            application.command(name, epilog=f"Example: {SPECS[name].example}")(declared_command(SPECS[name]))
        else:
            function, example, shared = HAND_WRITTEN[name]
            application.command(name, epilog=f"Example: {example}")(opt.with_shared_options(function, shared))
    return application


APP_SETTINGS = dict(
    name="cnncalc",
    help="Forward and backward passes of CNN layers, every intermediate and gradient, checked against PyTorch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
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

    show_examples(name, run_it, output)


HAND_WRITTEN["examples"] = (examples, EXAMPLES_EXAMPLE, ("names", "precision", "index_base", "max_elements"))
COMMAND_NAMES = ("conv", "pool", "fc", "act", "softmax", "loss", "pipeline", "examples", "shape")
COMMANDS = {name: SPECS.get(name) or HAND_WRITTEN[name] for name in COMMAND_NAMES}

app = build_app()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; errors become one line on stderr and exit code 2."""
    from cnncalc.cli.errors import run_guarded

    args = (sys.argv[1:] if argv is None else argv) or ["--help"]
    chosen = next((arg for arg in args if not arg.startswith("-")), None)
    sys.exit(run_guarded(build_app(chosen) if chosen in COMMANDS else app, args))
