"""Files the output options write (--emit-problem, --export-svg, --export-html): checked before any work."""

from __future__ import annotations

from pathlib import Path

from cnncalc.errors import CnnError


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
