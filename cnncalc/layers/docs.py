"""The README's option table of each command, written from its declaration."""

from __future__ import annotations

from cnncalc.layers.spec import CommandSpec


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def option_table(spec: CommandSpec) -> str:
    """A Markdown table: every option of the command line, its meaning, default and PyTorch name;
    then the fields that only a problem file or a pipeline layer takes."""
    rows = ["| option | file field | pipeline layer field | meaning | default | PyTorch |",
            "|---|---|---|---|---|---|"]
    for option in spec.options:
        flags = ", ".join(f"`{flag}`" for flag in option.flags) if option.command and option.cli else ""
        field = f"`{option.name}`" if option.command else ""
        layer = f"`{option.pipeline}`" + (f" ({', '.join(option.layers)})" if option.layers else "") \
            if option.pipeline else ""
        torch = f"`{option.torch}`" if option.torch else ""
        rows.append(f"| {flags} | {field} | {layer} | {_cell(option.help)} | {_cell(option.default_text)} | {torch} |")
    return "\n".join(rows)


def marked_table(spec: CommandSpec) -> str:
    """The table between the markers the README test looks for."""
    return f"<!-- options: {spec.name} -->\n{option_table(spec)}\n<!-- /options -->"
