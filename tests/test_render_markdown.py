"""--format markdown: golden texts, and every output parsed by markdown-it-py as GitHub would:
every table has the rows and columns of its slice, every math block is a ```math fence, inline
math is only ever $`...`$, and the words come back as written."""

import re

import numpy as np
import pytest
from markdown_it import MarkdownIt

from cnncalc.cli.options import OutputOptions
from cnncalc.cli.run import solve_problem
from cnncalc.layers import COMMANDS
from writeup_helpers import EXPECTED, ROOT, SEEDS, example_commands, run_from_root

PARSER = MarkdownIt("commonmark").enable("table")


@pytest.mark.parametrize("name", SEEDS)
def test_markdown_matches_its_golden_text(name, monkeypatch):
    out = run_from_root(monkeypatch, *SEEDS[name], "--format", "markdown")
    assert out == (EXPECTED / f"{name}.md").read_text()


def _tables(tokens) -> list[list[list[str]]]:
    """Every table as rows of cell texts (header row first)."""
    tables, rows, row = [], None, None
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None and rows is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
        elif token.type == "table_close":
            tables.append(rows)
            rows = None
    return tables


def _slice_shapes(result) -> list[tuple[int, int]]:
    """(rows, columns) of every 2-D slice of every tensor of a result, from its arrays."""
    arrays = [array for section in (result.inputs, result.forward, result.backward, result.extras)
              for array in section.values()]
    arrays += [np.asarray(cells)[..., 0] for cells in result.positions.values()]
    shapes = []
    for array in map(np.asarray, arrays):
        if array.ndim == 1:
            shapes.append((1, array.shape[0]))
        elif array.ndim >= 2:
            shapes += [array.shape[-2:]] * int(np.prod(array.shape[:-2]))
    return shapes


def _result(command: str, path: str):
    spec = COMMANDS[command]
    return solve_problem(spec, str(ROOT / path), {"names": None}, OutputOptions())


@pytest.mark.parametrize("name, args", [run for run in example_commands() if not run[0].endswith("symbolic")])
def test_every_table_has_the_rows_and_columns_of_its_slice(name, args, monkeypatch):
    command, path = args[0], args[1]
    tokens = PARSER.parse(run_from_root(monkeypatch, command, path, "--format", "markdown"))
    tables = _tables(tokens)
    shapes = _slice_shapes(_result(command, path))
    assert [(len(t) - 1, len(t[0]) - 1) for t in tables[:len(shapes)]] == [tuple(s) for s in shapes]
    for table in tables:
        assert all(len(row) == len(table[0]) for row in table)


@pytest.mark.parametrize("name, args", example_commands())
def test_math_is_only_in_the_forms_github_renders(name, args, monkeypatch):
    out = run_from_root(monkeypatch, *args, "--format", "markdown")
    tokens = PARSER.parse(out)
    fences = [t for t in tokens if t.type == "fence"]
    assert all(t.info == "math" for t in fences)
    assert "$$" not in out
    for token in (t for t in tokens if t.type == "inline"):
        text = re.sub(r"\$`[^`]*`\$", "", token.content)
        assert "`" not in text and not re.search(r"(?<!\\)\$", text), token.content


def test_seed002_tables_hold_the_hand_checked_answers(monkeypatch):
    out = run_from_root(monkeypatch, "conv", "examples/seed002_conv_bias.yaml", "--format", "markdown")
    tables = _tables(PARSER.parse(out))
    body = [[cell for cell in row[1:]] for table in tables for row in table[1:]]
    assert [["1", "1", "-2"], ["1", "6", "-1"], ["-2", "2", "0"]] == body[9:12]  # dL/dI, the example's expect
    assert "$`\\frac{\\partial L}{\\partial b} = 3`$" in out


def test_seed002_symbolic_derivation_is_a_list_with_the_right_dI12(monkeypatch):
    out = run_from_root(monkeypatch, "conv", "examples/seed002_symbolic.yaml", "--format", "markdown")
    items = [line for line in out.splitlines() if line.startswith("- ")]
    assert ("- $`\\frac{\\partial L}{\\partial I_{12}} = \\frac{\\partial L}{\\partial O_{11}} \\cdot W_{12} + "
            "\\frac{\\partial L}{\\partial O_{12}} \\cdot W_{11}`$") in "\n".join(items)


def test_convention_words_read_back_unchanged(monkeypatch):
    """Escaping hides no character: the rendered text of each convention item is the line itself."""
    result = _result("conv", "examples/seed002_conv_bias.yaml")
    from cnncalc.render.conventions import convention_lines

    out = run_from_root(monkeypatch, "conv", "examples/seed002_conv_bias.yaml", "--format", "markdown")
    tokens = PARSER.parse(out)
    items = ["".join(child.content for child in t.children if child.type == "text") for t in tokens
             if t.type == "inline" and t.content and t.map and out.splitlines()[t.map[0]].startswith("- ")]
    assert items[:len(result.conventions)] == convention_lines(result.conventions)
