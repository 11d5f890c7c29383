"""`--export-svg` / `--export-html`: the table view saved through rich's own recording console.

The recording console draws the very lines render_table prints (table.view_lines), colours
kept (NO_COLOR governs terminals, not files the user asked for), laid out for standard
output's console: split to the terminal's width on a terminal, at natural width otherwise,
the image made as wide as the longest line so that nothing is clipped.
An existing file is never written over without --force.
"""

from __future__ import annotations

import io
import sys

from rich.cells import cell_len
from rich.console import Console

from cnncalc.render.table import view_lines
from cnncalc.render.targets import write_target
from cnncalc.render.view import build_view




def recorded(result, precision: int, base: int, width: int, terminal: bool) -> Console:
    """A console that has recorded the lines render_table prints on a console `width` wide
    (split to that width on a terminal, as the terminal shows them), wide enough for the longest."""
    lines = view_lines(build_view(result, precision, base), width, width if terminal else None)
    longest = max((cell_len(line.plain) for line in lines), default=width)
    console = Console(record=True, width=max(width, longest), file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", no_color=False, highlight=False)
    for line in lines:
        line.rstrip()
        console.print(line, soft_wrap=True)
    return console


def export(result, out) -> None:
    """Write the SVG and/or HTML files `out` asks for, laid out as standard output's console would."""
    if not (out.export_svg or out.export_html):
        return
    screen = Console(file=sys.stdout)
    console = recorded(result, out.precision, result.naming.base, screen.width, screen.is_terminal)
    title = f"cnncalc {result.command}"
    if out.export_svg:
        write_target("--export-svg", out.export_svg, console.export_svg(title=title, clear=False), out.force)
    if out.export_html:
        write_target("--export-html", out.export_html, console.export_html(clear=False), out.force)
