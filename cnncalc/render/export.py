"""`--export-svg` / `--export-html`: the table view saved through rich's own recording console.

The recording console draws exactly what render_table draws on a terminal, colours kept
(NO_COLOR governs terminals, not files the user asked for): at the terminal's width when
standard output is one, else at the view's natural width so that no line is clipped.
An existing file is never written over without --force.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

from cnncalc.errors import CnnError
from cnncalc.render.table import render_table, view_lines
from cnncalc.render.view import build_view

NATURAL = 10**6  # "no width limit" for view_lines


def check_target(flag: str, path: str, force: bool) -> None:
    """Refuse, before any work is done, a path that exists (without --force) or cannot be written."""
    target = Path(path)
    if target.is_dir():
        raise CnnError(flag, "a file name", f"'{path}', a folder")
    if target.exists() and not force:
        raise CnnError(flag, "a file that does not exist yet", f"'{path}', which exists",
                       hint="add --force to write over it")
    if not target.parent.is_dir():
        raise CnnError(flag, "a file in an existing folder", f"'{path}'",
                       hint=f"the folder '{target.parent}' does not exist")


def check_targets(out) -> None:
    for flag, path in (("--export-svg", out.export_svg), ("--export-html", out.export_html)):
        if path:
            check_target(flag, path, out.force)


def recorded(result, precision: int, base: int, terminal_width: int | None) -> Console:
    """A console that has recorded the table view of `result`."""
    if terminal_width is None:
        lines = view_lines(build_view(result, precision, base), NATURAL, None)
        width = max((cell_len(line.plain) for line in lines), default=40)
    else:
        width = terminal_width
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=terminal_width is not None,
                      color_system="truecolor", no_color=False, highlight=False)
    render_table(result, console, precision, base)
    return console


def _write(flag: str, path: str, text: str, force: bool) -> None:
    try:
        with open(path, "w" if force else "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CnnError(flag, "a file that does not exist yet", f"'{path}', which exists",
                       hint="add --force to write over it") from None
    except OSError as error:
        raise CnnError(flag, "a file that can be written", f"'{path}' ({error.strerror})") from None


def export(result, out, terminal_width: int | None = None) -> None:
    """Write the SVG and/or HTML files `out` asks for. `terminal_width`: the layout of a terminal
    that wide (None: natural width, as when standard output is a file or a pipe)."""
    if not (out.export_svg or out.export_html):
        return
    console = recorded(result, out.precision, result.naming.base, terminal_width)
    title = f"cnncalc {result.command}"
    if out.export_svg:
        _write("--export-svg", out.export_svg, console.export_svg(title=title, clear=False), out.force)
    if out.export_html:
        _write("--export-html", out.export_html, console.export_html(clear=False), out.force)


def stdout_width() -> int | None:
    """The terminal's width when standard output is a terminal, else None."""
    console = Console(file=sys.stdout)
    return console.width if console.is_terminal else None
