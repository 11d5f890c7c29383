"""One place that turns every failure into a line on stderr and an exit code."""

from __future__ import annotations

import errno
import sys
import traceback

import typer

from cnncalc.errors import MESSAGE_PART, CnnError, ExitCode, printable


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def run_guarded(app, argv: list[str]) -> int:
    """Run the Typer app; map CnnError, usage errors and crashes to exit codes."""
    debug = "--debug" in argv
    try:
        code = app(args=argv, prog_name="cnncalc", standalone_mode=False)
        return code if isinstance(code, int) else ExitCode.OK
    except CnnError as error:
        if debug:
            traceback.print_exc()
        _say(f"cnncalc: error: {error.message()}")
        for line in error.caret_lines():
            _say("  " + line)
        return ExitCode.BAD_INPUT
    except typer.TyperException as error:  # usage errors: unknown option, bad option value
        ctx = getattr(error, "ctx", None)
        command = ctx.command_path if ctx is not None else "cnncalc"
        _say(f"{command}: error: {printable(error.format_message(), 4 * MESSAGE_PART)} (see {command} --help)")
        return ExitCode.BAD_INPUT if error.exit_code == 2 else error.exit_code
    except typer.Abort:
        return 130
    except OSError as error:
        if error.errno == errno.EPIPE:
            return ExitCode.OK
        return _crash(error, debug)
    except Exception as error:  # a bug of ours: say so in one line, traceback on request
        return _crash(error, debug)


def _crash(error: Exception, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    _say(f"cnncalc: internal error: {type(error).__name__}: {printable(str(error), 4 * MESSAGE_PART)} "
         "(run with --debug for the traceback)")
    return 70
