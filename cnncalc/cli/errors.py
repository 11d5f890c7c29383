"""One place that turns every failure into a line on stderr and an exit code."""

from __future__ import annotations

import errno
import os
import sys
import traceback

import typer

from cnncalc.errors import MESSAGE_PART, CnnError, ExitCode, printable


class OutputClosed(Exception):
    """The reader of standard output went away (EPIPE). Raised instead of BrokenPipeError so that
    click, which would exit 1 for it (1 means 'some answers mismatch' here), leaves it to the door."""


def _say(text: str) -> None:
    if sys.stderr is not None:
        print(text, file=sys.stderr)


# errno values of a failed write to stdout: a full disk or quota, a file too large, an I/O error.
WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF}


def report_error(error: CnnError) -> None:
    """A refused input on stderr: its one line, then the caret under the bad token if any."""
    _say(f"cnncalc: error: {error.message()}")
    for line in error.caret_lines():
        _say("  " + line)


def run_guarded(app, argv: list[str]) -> int:
    """Run the Typer app; map CnnError, usage errors and crashes to exit codes."""
    debug = "--debug" in argv
    if sys.stdout is None:  # `cnncalc ... >&-`: say so instead of computing for nobody
        _say("cnncalc: error: standard output is closed: nowhere to write the result")
        return ExitCode.BAD_INPUT
    try:
        code = app(args=argv, prog_name="cnncalc", standalone_mode=False)
        sys.stdout.flush()  # a full disk is found here, not at exit
        return code if isinstance(code, int) else ExitCode.OK
    except CnnError as error:
        if debug:
            traceback.print_exc()
        report_error(error)
        return ExitCode.BAD_INPUT
    except typer.TyperException as error:  # usage errors: unknown option, bad option value
        ctx = getattr(error, "ctx", None)
        command = ctx.command_path if ctx is not None else "cnncalc"
        _say(f"{command}: error: {printable(error.format_message(), 4 * MESSAGE_PART)} (see {command} --help)")
        return ExitCode.BAD_INPUT if error.exit_code == 2 else error.exit_code
    except typer.Abort:
        return ExitCode.INTERRUPTED
    except OutputClosed:
        _drop_unwritten_output()
        return ExitCode.OK
    except OSError as error:
        return _output_failed(error, debug)
    except MemoryError:
        _say("cnncalc: error: this problem needs more memory than the machine has free "
             "(lower its sizes, or --max-elements to refuse such problems sooner)")
        return ExitCode.BAD_INPUT
    except Exception as error:  # a bug of ours: say so in one line, traceback on request
        return _crash(error, debug)


def _output_failed(error: OSError, debug: bool) -> int:
    """A closed pipe ends the run quietly with 0 (the reader took what it wanted, as `head` does);
    a write that fails otherwise (a full disk) is one line and exit 2; any other OSError is ours."""
    if error.errno not in WRITE_ERRORS | {errno.EPIPE}:
        return _crash(error, debug)
    _drop_unwritten_output()
    if error.errno == errno.EPIPE:
        return ExitCode.OK
    _say(f"cnncalc: error: standard output: could not write the result ({error.strerror or error})")
    return ExitCode.BAD_INPUT


def _drop_unwritten_output() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of what is still buffered
    neither fails again nor prints 'Exception ignored'."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture stdout in memory)
        pass


def _crash(error: Exception, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    _say(f"cnncalc: internal error: {type(error).__name__}: {printable(str(error), 4 * MESSAGE_PART)} "
         "(run with --debug for the traceback)")
    return ExitCode.INTERNAL
