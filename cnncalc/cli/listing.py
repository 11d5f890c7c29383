"""`cnncalc examples`: list the bundled problems, print one, or run it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cnncalc.cli.options import OutputOptions
from cnncalc.cli.run import check_format, run
from cnncalc.inputs.catalog import all_examples, find_example


def show_examples(name: str | None, run_it: bool, out: OutputOptions) -> int | None:
    check_format(out)
    if name is None:
        _list(out)
        return
    example = find_example(name)
    if run_it:
        from cnncalc.layers import COMMANDS

        return run(COMMANDS[example.command], example.path, {}, out)
    elif out.format == "json":  # the problem itself, as JSON
        from cnncalc.inputs.yamlfile import load_document

        data = load_document(example.path, out.max_elements).data
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    else:
        sys.stdout.write(Path(example.path).read_text(encoding="utf-8"))


def _list(out: OutputOptions) -> None:
    examples = all_examples()
    rows = [{"name": e.name, "command": e.command, "title": e.title} for e in examples]
    if out.format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    if out.format == "yaml":
        import yaml

        sys.stdout.write(yaml.safe_dump(rows, sort_keys=False, allow_unicode=True))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Bundled examples (cnncalc examples NAME [--run])", title_justify="left")
    # A name is what the user types next: it is never cut; the description wraps instead.
    table.add_column("name", no_wrap=True, min_width=max(len(e.name) for e in examples))
    table.add_column("command", no_wrap=True, min_width=len("pipeline"))
    table.add_column("what", overflow="fold")
    for example in examples:
        table.add_row(example.name, example.command, example.title)
    Console().print(table)
