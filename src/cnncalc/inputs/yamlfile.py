"""Problem files: safe YAML, with the line of every field remembered.

The document is composed into nodes with libyaml's safe loader (when present)
and turned into Python values here, so each field path gets its line, and
aliases are counted as they are expanded: an alias bomb hits the element cap
long before it can fill memory.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import yaml

from cnncalc.errors import CnnError

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """A problem file's content and where each field came from."""

    data: dict
    name: str | None = None
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, or of the nearest enclosing field that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def locate(self, error: CnnError) -> CnnError:
        return error.located(self.name, self.line_of(error.field))


def read_text(path: str) -> tuple[str, str]:
    """The text of a problem file (`-` for standard input) and the name to report."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(), path
    except FileNotFoundError:
        raise CnnError("problem file", "an existing file", repr(path), file=path) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise CnnError("problem file", "a readable UTF-8 text file", type(exc).__name__, file=path) from None


def load_document(path: str, max_elements: int) -> Document:
    text, name = read_text(path)
    return parse_document(text, name, max_elements)


def parse_document(text: str, name: str, max_elements: int) -> Document:
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CnnError("YAML", "valid YAML", problem, file=name, line=line) from None
    document = Document({}, name)
    if node is None:
        raise CnnError("problem file", "a mapping of fields (x: ..., w: ...)", "an empty document", file=name)
    try:
        _check_expanded_size(node, name, max_elements)
        data = _Builder(document, max_elements).build(node, "")
    except RecursionError:
        raise CnnError("document", "lists nested a few levels deep", "nesting too deep to be a tensor",
                       file=name) from None
    if not isinstance(data, dict):
        raise CnnError("problem file", "a mapping of fields (x: ..., w: ...)", type(data).__name__,
                       file=name, line=node.start_mark.line + 1)
    document.data = data
    return document


def _check_expanded_size(root, name: str, max_elements: int) -> None:
    """Refuse a document whose aliases expand past the cap, in time linear in its text."""
    sizes: dict[int, int] = {}

    def size(node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a recursive alias counts once; the builder will refuse it
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        sizes[id(node)] = 1 + sum(size(child) for child in children)
        return sizes[id(node)]

    total = size(root)
    if total > max_elements:
        raise CnnError("document", f"at most {max_elements:,} values once aliases are expanded",
                       f"{total:,}", hint="raise the cap with --max-elements if you mean it", file=name)


class _Builder:
    def __init__(self, document: Document, max_elements: int):
        self.document = document
        self.budget = max_elements
        self.constructor = Loader("")

    def build(self, node, path: str):
        self.budget -= 1
        if self.budget < 0:
            raise CnnError(path or "document", "a problem of bounded size", "more entries than the element cap",
                           hint="raise the cap with --max-elements if you mean it",
                           file=self.document.name, line=node.start_mark.line + 1)
        self.document.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, f"{path}[{k}]") for k, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node, path: str) -> dict:
        result = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, path)
            if not isinstance(key, (str, int, float)):
                raise self._error(key_node, path, "a plain key", type(key).__name__)
            key = str(key)
            child = f"{path}.{key}" if path else key
            if key in result:
                raise self._error(key_node, child, "each key once", "a repeated key")
            self.document.lines[child] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node, path: str):
        if not isinstance(node, yaml.ScalarNode):
            raise self._error(node, path, "a plain value", "a nested structure")
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self._error(node, path, "a plain value", str(exc).splitlines()[0]) from None

    def _error(self, node, path: str, expected: str, found: str) -> CnnError:
        return CnnError(path or "document", expected, found, file=self.document.name,
                        line=node.start_mark.line + 1)
