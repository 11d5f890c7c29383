"""The bundled example problems, shipped inside the package (they work after pip install)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from cnncalc.errors import CnnError, did_you_mean


@dataclass(frozen=True)
class Example:
    name: str
    command: str
    title: str
    path: str


def _header(text: str) -> tuple[str, str]:
    """command and title from the file's top-level lines, without a full YAML parse."""
    found = {"command": "", "title": ""}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in found and not found[key]:
            found[key] = value.strip().strip('"')
    return found["command"], found["title"]


def all_examples() -> list[Example]:
    folder = resources.files("cnncalc.examples")
    examples = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            command, title = _header(entry.read_text(encoding="utf-8"))
            examples.append(Example(entry.name[:-5], command, title, str(entry)))
    return examples


def find_example(name: str) -> Example:
    examples = all_examples()
    for example in examples:
        if name in (example.name, example.name + ".yaml"):
            return example
    raise CnnError("example", "the name of a bundled example (see cnncalc examples)", repr(name),
                   hint=did_you_mean(name, [e.name for e in examples]))
