"""Problem files: safe YAML, with the line of every field remembered.

Flow lists of plain numbers are read by the standard library's JSON parser
(inputs/flows.py); the rest of the document is composed into nodes with libyaml's
safe loader (when present) and turned into Python values here, so each field path
gets its line, and aliases are counted as they are expanded: an alias bomb hits the
node budget long before it can fill memory. Input size and nesting depth are bounded
before libyaml sees the text (its composer recurses in C and would crash, not raise).
Numbers keep the text they were written as where it differs from the value's own
(inputs/kept.py).
"""

from __future__ import annotations

import contextlib
import gc
import re
import sys
from dataclasses import dataclass, field

import yaml
from yaml.representer import SafeRepresenter

from cnncalc.errors import CnnError
from cnncalc.inputs.budget import text_limit
from cnncalc.inputs.flows import Cut, cut_flow_lists, line_in_flow
from cnncalc.inputs.kept import KeptFloat, KeptInt, KeptList, text_of
from cnncalc.inputs.literals import MAX_DEPTH

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

BYTES_PER_ELEMENT, EXTRA_BYTES = 64, 1 << 20
NODES_PER_ELEMENT, EXTRA_NODES = 4, 10_000
_BUDGET_HINT = (f"{NODES_PER_ELEMENT} × --max-elements + {EXTRA_NODES:,} for the whole document;"
                " raise the cap with --max-elements if you mean it")
_READ_CHUNK = 1 << 24
# Block nesting costs at least a column per level; '- - - 1' nests too.
_ODD_BREAKS = "\r\x85\u2028\u2029"  # line breaks to YAML besides \n
_INDENT = rf"(?:[ \t]|[?:-](?=[ \t\n{_ODD_BREAKS}]|\Z)){{{2 * MAX_DEPTH + 1}}}"
_DEEP_FIRST_LINE, _DEEP_LINE = re.compile(_INDENT), re.compile("\n" + _INDENT)  # a literal \n searches fast
_DEEP_ODD_LINE = re.compile(f"[{_ODD_BREAKS}]" + _INDENT)
_OPEN_EVENTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE_EVENTS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


@dataclass
class Document:
    """A problem file's content and where each field came from."""

    data: dict
    name: str | None = None
    lines: dict[str, int] = field(default_factory=dict)
    flows: dict[str, tuple[str, int]] = field(default_factory=dict)  # path → (JSON text, first line)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, or of the nearest enclosing field that has one."""
        wanted = path
        while path:
            if path in self.flows and path != wanted:  # an entry of a list json read: found on demand
                source, line = self.flows[path]
                return line_in_flow(source, line, [int(k) for k in re.findall(r"\[(\d+)\]", wanted[len(path):])])
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def locate(self, error: CnnError) -> CnnError:
        return error.located(self.name, self.line_of(error.field))


def read_text(path: str, max_elements: int) -> tuple[str, str]:
    """The text of a problem file (`-` for standard input) and the name to report.

    Reading stops past 64 bytes per allowed element (plus 1 MiB): /dev/zero or a
    runaway pipe is refused instead of filling memory.
    """
    wanted = BYTES_PER_ELEMENT * max_elements + EXTRA_BYTES
    limit = text_limit(wanted)
    name = "<stdin>" if path == "-" else path
    try:
        raw = _read_stdin(limit) if path == "-" else _read_file(path, limit)
    except CnnError as error:
        raise error.located(name) from None
    if len(raw) > limit:
        why = (f"{BYTES_PER_ELEMENT} per allowed element + 1 MiB" if limit == wanted
               else "what the free memory can parse")
        raise CnnError("problem file", f"at most {limit:,} bytes ({why})", "a larger input",
                       hint="raise the cap with --max-elements if you mean it" if limit == wanted else "", file=name)
    return _decode(raw, name), name


def _read_stdin(limit: int):
    if sys.stdin is None or getattr(sys.stdin, "closed", False):  # `cnncalc conv - <&-`
        raise CnnError("problem file", "a problem on standard input (the file '-')", "standard input closed",
                       file="<stdin>")
    try:
        return _read_capped(getattr(sys.stdin, "buffer", sys.stdin), limit)
    except OSError as exc:
        raise CnnError("problem file", "a readable standard input", exc.strerror or type(exc).__name__,
                       file="<stdin>") from None


def _read_file(path: str, limit: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return _read_capped(handle, limit)
    except FileNotFoundError:
        raise CnnError("problem file", "an existing file", repr(path), file=path) from None
    except OSError as exc:
        raise CnnError("problem file", "a readable UTF-8 text file", exc.strerror or type(exc).__name__,
                       file=path) from None


def _read_capped(stream, limit: int):
    """At most limit + 1 bytes (or characters, from a text stream), in bounded chunks."""
    chunks, total = [], 0
    while total <= limit:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total <= limit and isinstance(chunk, bytes) and b"\0" in chunk:  # /dev/zero, binary: at once
            raise CnnError("problem file", "a YAML text file", "a NUL byte (binary data)")
    return stream.read(0).join(chunks) if chunks else b""


def _decode(raw, name: str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CnnError("problem file", "a UTF-8 text", f"the byte 0x{raw[exc.start]:02x}", file=name,
                       line=raw.count(b"\n", 0, exc.start) + 1) from None


def load_document(path: str, max_elements: int) -> Document:
    text, name = read_text(path, max_elements)
    return parse_document(text, name, max_elements)


@contextlib.contextmanager
def _collector_paused():
    """A big tensor is millions of node objects, which the cyclic garbage collector would
    rescan again and again while they are made (about 3× the time); none of them form cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_document(text: str, name: str, max_elements: int) -> Document:
    with _collector_paused():
        return _parse_document(text, name, max_elements)


def _parse_document(text: str, name: str, max_elements: int) -> Document:
    """Number lists cut out for json, the rest to libyaml; the original text whenever the
    cut version fails or a cut list is not found again, so errors are exactly libyaml's."""
    cut = cut_flow_lists(text)
    if cut is not None:
        try:
            document = _compose_and_build(cut.text, name, max_elements, cut)
        except CnnError:
            pass
        else:
            if cut.all_taken():
                return document
    return _compose_and_build(text, name, max_elements, None)


def _compose_and_build(text: str, name: str, max_elements: int, cut: Cut | None) -> Document:
    try:
        _check_depth(text, name)
        node = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, name) from None
    except RecursionError:  # the pure-Python composer, where libyaml is missing
        raise _too_deep(name, None, "deeper nesting") from None
    document = Document({}, name)
    if node is None:
        raise CnnError("problem file", "a mapping of fields (x: ..., w: ...)", "an empty document", file=name)
    try:
        if "*" in text:  # only aliases can make the document larger than its text
            _check_expanded_size(node, name, max_elements, cut)
        data = _Builder(document, max_elements, cut).build(node, "")
    except RecursionError:
        raise CnnError("document", "lists nested a few levels deep", "nesting too deep to be a tensor",
                       file=name) from None
    if not isinstance(data, dict):
        raise CnnError("problem file", "a mapping of fields (x: ..., w: ...)", type(data).__name__,
                       file=name, line=node.start_mark.line + 1)
    document.data = data
    return document


def _yaml_error(exc: yaml.YAMLError, name: str) -> CnnError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return CnnError("YAML", "valid YAML", problem, file=name, line=line)


def _check_depth(text: str, name: str) -> None:
    """Refuse nesting deep enough to crash libyaml's recursive composer (a segfault, not an error)."""
    indent = _DEEP_FIRST_LINE.match(text) or _DEEP_LINE.search(text)
    if not indent and any(char in text for char in _ODD_BREAKS):
        indent = _DEEP_ODD_LINE.search(text)
    if indent:
        raise _too_deep(name, text.count("\n", 0, indent.end()) + 1, f"indentation past {2 * MAX_DEPTH} columns")
    if text.count("[") + text.count("{") > MAX_DEPTH:  # else no flow nesting can be that deep
        line = _too_deep_by_events(text)
        if line is not None:
            raise _too_deep(name, line, "deeper nesting")


def _too_deep(name: str, line: int | None, found: str) -> CnnError:
    return CnnError("document", f"at most {MAX_DEPTH} levels of nesting", found, file=name, line=line)


def _too_deep_by_events(text: str) -> int | None:
    """The line where nesting passes MAX_DEPTH, exactly, from libyaml's event stream: its parser
    keeps its stack on the heap, so unlike the composer it cannot overflow the C stack."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, _OPEN_EVENTS):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, _CLOSE_EVENTS):
                depth -= 1
    except yaml.YAMLError as exc:  # libyaml's scanner has a nesting limit of its own, far past ours
        mark = getattr(exc, "problem_mark", None)
        if "nesting depth" not in str(exc) or mark is None:
            raise
        return mark.line + 1
    return None


def node_budget(max_elements: int) -> int:
    """Nodes a whole document may hold once aliases are expanded: tensors plus their scaffolding."""
    return NODES_PER_ELEMENT * max_elements + EXTRA_NODES


def _check_expanded_size(root, name: str, max_elements: int, cut: Cut | None) -> None:
    """Refuse a document whose aliases expand past the cap, in time linear in its text."""
    sizes: dict[int, int] = {}
    flows = cut.flows if cut else {}

    def size(node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if node.tag in flows:
            return flows[node.tag].nodes
        sizes[id(node)] = 1  # a recursive alias counts once; the builder will refuse it
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        sizes[id(node)] = 1 + sum(size(child) for child in children)
        return sizes[id(node)]

    total, budget = size(root), node_budget(max_elements)
    if total > budget:
        raise CnnError("document", f"at most {budget:,} values once aliases are expanded", f"{total:,}",
                       hint=_BUDGET_HINT, file=name)


INT_TAG = "tag:yaml.org,2002:int"
_PLAIN_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


def _short_tag(tag: str) -> str:
    from cnncalc.errors import printable

    shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
    return printable(shown, 80)
PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")


class _Builder:
    def __init__(self, document: Document, max_elements: int, cut: Cut | None = None):
        self.document, self.cut = document, cut
        self.budget = node_budget(max_elements)
        self.constructor = Loader("")

    def build(self, node, path: str):
        if self.cut is not None and node.tag in self.cut.flows:
            return self._flow(self.cut.take(node.tag), node, path)
        self._count(1, node, path)
        self.document.lines.setdefault(path, node.start_mark.line + 1)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            # the safe constructor would drop a tag such as !!python/object/apply:os.system here
            raise self._error(node, path, "a plain list or mapping (no YAML tag)", f"the tag {_short_tag(node.tag)}")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, path)
        return self._scalar(node, path)

    def _count(self, nodes: int, node, path: str) -> None:
        self.budget -= nodes
        if self.budget < 0:
            raise CnnError(path or "document", "a problem of bounded size", "more values than the document cap",
                           hint=_BUDGET_HINT,
                           file=self.document.name, line=node.start_mark.line + 1)

    def _flow(self, flow, node, path: str) -> list:
        """A list json read, in place of its placeholder."""
        self._count(flow.nodes, node, path)
        self.document.lines.setdefault(path, node.start_mark.line + 1)
        levels = path.count(".") + path.count("[") + 1  # enclosing levels (at least)
        if levels + flow.ndim > MAX_DEPTH:  # the original text is read again and refused exactly
            raise self._error(node, path, f"at most {MAX_DEPTH} levels of nesting", "deeper nesting")
        self.document.flows[path] = (flow.source, node.start_mark.line + 1)
        return flow.value

    def _sequence(self, node, path: str) -> list:
        items = [self.build(item, f"{path}[{k}]") for k, item in enumerate(node.value)]
        # Every float's text (comparing it with repr would cost more), an integer's written oddly.
        texts = [child.value if isinstance(item, float) or isinstance(item, int) and _odd_text(child, item)
                 else None for child, item in zip(node.value, items)]
        return KeptList(items, texts) if any(texts) else items

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
            result[key] = _kept_scalar(value_node, self.build(value_node, child))
        return result

    def _scalar(self, node, path: str):
        if not isinstance(node, yaml.ScalarNode):
            raise self._error(node, path, "a plain value", "a nested structure")
        if node.tag == INT_TAG and PLAIN_INT.fullmatch(node.value):
            return int(node.value)  # the bulk of a tensor: skip the general constructor
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            unknown_tag = "could not determine a constructor" in str(exc)
            found = f"the tag {_short_tag(node.tag)}" if unknown_tag else str(exc).splitlines()[0]
            raise self._error(node, path, "a plain value", found) from None
        except ValueError as exc:  # an integer past Python's digit limit, a 30th of February...
            reason = str(exc).split(":")[0]
            raise self._error(node, path, "a readable value", f"'{node.value[:20]}' ({reason})") from None

    def _error(self, node, path: str, expected: str, found: str) -> CnnError:
        return CnnError(path or "document", expected, found, file=self.document.name,
                        line=node.start_mark.line + 1)


def _odd_text(node, value) -> str | None:
    """The text of a number written otherwise than Python prints it ('0.40', '+3'), else None."""
    if not isinstance(node, yaml.ScalarNode) or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    text = node.value
    if isinstance(value, int) and text.isdigit() and text[0] != "0":  # the bulk of a tensor, quickly
        return None
    return None if text == text_of(value) else text


def _kept_scalar(node, value):
    text = _odd_text(node, value)
    if text is None:
        return value
    return KeptFloat(value, text) if isinstance(value, float) else KeptInt(value, text)


# Values that keep their text dump as the plain values they are.
SafeRepresenter.add_representer(KeptFloat, SafeRepresenter.represent_float)
SafeRepresenter.add_representer(KeptInt, SafeRepresenter.represent_int)
SafeRepresenter.add_representer(KeptList, SafeRepresenter.represent_list)
