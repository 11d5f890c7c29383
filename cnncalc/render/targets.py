"""Files the output options write (--emit-problem, --export-svg, --export-html): all checked
before any work, each written by one writer."""

from __future__ import annotations

import os
from pathlib import Path

from cnncalc.errors import CnnError


def file_targets(out) -> list[tuple[str, str]]:
    """(flag, path) of every file `out` asks to write; `--emit-problem -` is standard output."""
    given = (("--emit-problem", out.emit_problem), ("--export-svg", out.export_svg),
             ("--export-html", out.export_html))
    return [(flag, path) for flag, path in given if path and path != "-"]


def check_targets(out) -> None:
    """Refuse, before any work is done, a target that exists (without --force), cannot be written,
    or is named by two options (the second would write over the first)."""
    seen: dict[str, str] = {}
    for flag, path in file_targets(out):
        check_target(flag, path, out.force)
        same = seen.setdefault(os.path.realpath(path), flag)
        if same != flag:
            raise CnnError(flag, "a file of its own", f"'{path}', which {same} writes too")


def check_target(flag: str, path: str, force: bool) -> None:
    target = Path(path)
    if target.is_dir():
        raise CnnError(flag, "a file name", f"'{path}', a folder")
    if target.exists() and not force:
        raise CnnError(flag, "a file that does not exist yet", f"'{path}', which exists",
                       hint="add --force to write over it")
    if not target.parent.is_dir():
        raise CnnError(flag, "a file in an existing folder", f"'{path}'",
                       hint=f"the folder '{target.parent}' does not exist")


def write_target(flag: str, path: str, text: str, force: bool) -> None:
    """Write `text` to a checked target; a file that appeared since the check is still not overwritten
    without --force."""
    try:
        with open(path, "w" if force else "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CnnError(flag, "a file that does not exist yet", f"'{path}', which exists",
                       hint="add --force to write over it") from None
    except OSError as error:
        raise CnnError(flag, "a file that can be written", f"'{path}' ({error.strerror})") from None
