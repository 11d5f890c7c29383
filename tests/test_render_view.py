"""The view model and the table renderer: no number cropped at any width, labels that read as labels.

Expected cell texts are computed here with Python's own format (f"{v:.4f}" with trailing zeros
stripped), not with cnncalc's format_number.
"""

import io
import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from rich.console import Console

from cnncalc.core.residue import is_residue
from cnncalc.render.numbers import format_number
from cnncalc.render.table import render_table
from cnncalc.render.view import POSITIONS, build_view
from cnncalc.core.conventions import Rule, RuleId
from cnncalc.naming import LAYER_GRADIENTS, Naming
from cnncalc.result import Result

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG_RULE = Rule(RuleId.POOL_TIES, {"ties": "first"})
LONG_CONVENTION = ("ties: first: the first maximum in row-major window order gets dy (PyTorch); "
                   "overlapping windows add their gradients")
UNBREAKABLE = "y[o,i,j]=Σ_cΣ_aΣ_b·x_pad[c,stride·i+dilation·a,stride·j+dilation·b]·w[o,c,a,b]+b[o]"


def _wide_matrix() -> np.ndarray:
    """12×12 floats of mixed sign and width (0.01 to ~5000), none an integer."""
    rng = np.random.default_rng(7)
    values = rng.uniform(1.0, 5.0, (12, 12)) * 10.0 ** rng.integers(-2, 4, (12, 12))
    values *= rng.choice([-1.0, 1.0], (12, 12))
    return values + 0.000123


def _expected_text(value: float, precision: int) -> str:
    """The table's documented form: `precision` decimals without trailing zeros; below 10^-precision,
    scientific with precision − 1 decimals (at least one)."""
    if abs(value) < 10 ** -precision:
        return f"{value:.{max(precision - 1, 1)}e}"
    return f"{value:.{precision}f}".rstrip("0").rstrip(".")


def _render(result: Result, width: int, terminal: bool, precision: int = 4) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, no_color=True)
    render_table(result, console, precision, 1)
    return ANSI.sub("", out.getvalue())


def _grid_cells(text: str) -> tuple[dict, list[tuple[str, list[str], list[str]]]]:
    """{(row label, column label): cell} over every block of the grids in `text`, and the blocks
    as (title, column labels, row labels). Assumes grids are stacked, not side by side."""
    lines, cells, blocks = text.splitlines(), {}, []
    for i, line in enumerate(lines):
        if "┼" not in line:
            continue
        columns = lines[i - 1].split("│")[1].split()
        rows = []
        for row_line in lines[i + 1:]:
            if "│" not in row_line:
                break
            label, rest = (part.strip() for part in row_line.split("│"))
            tokens = rest.split()
            assert len(tokens) == len(columns), row_line
            cells.update({(label, column): token for column, token in zip(columns, tokens)})
            rows.append(label)
        blocks.append((lines[i - 2], columns, rows))
    return cells, blocks


def _wide_result(**extra) -> Result:
    return Result("conv", {}, conventions=[LONG_RULE], forward={"y": _wide_matrix()}, **extra)


WIDTHS = [(60, True), (80, True), (200, True), (80, False), (20, False)]


@pytest.mark.parametrize("precision", [4, 2])
@pytest.mark.parametrize("width, terminal", WIDTHS)
def test_every_number_of_a_12x12_tensor_is_shown_in_full(width, terminal, precision):
    text = _render(_wide_result(), width, terminal, precision)
    assert "…" not in text
    cells, _ = _grid_cells(text)
    matrix = _wide_matrix()
    expected = {(str(r + 1), str(c + 1)): _expected_text(matrix[r, c], precision)
                for r in range(12) for c in range(12)}
    assert cells == expected


@pytest.mark.parametrize("width", [60, 80])
def test_on_a_narrow_terminal_column_blocks_fit_and_carry_their_labels(width):
    text = _render(_wide_result(), width, terminal=True)
    assert max(len(line) for line in text.splitlines()) <= width
    _, blocks = _grid_cells(text)
    assert len(blocks) > 1
    columns_seen = []
    for title, columns, rows in blocks:
        assert rows == [str(r) for r in range(1, 13)]  # the row labels repeated in every block
        span = f"columns {columns[0]}–{columns[-1]}" if len(columns) > 1 else f"column {columns[0]}"
        assert title == f"y  (12×12), {span}"
        columns_seen += columns
    assert columns_seen == [str(c) for c in range(1, 13)]


def test_a_wide_terminal_and_a_pipe_show_the_grid_whole():
    for text in (_render(_wide_result(), 200, terminal=True), _render(_wide_result(), 20, terminal=False)):
        _, blocks = _grid_cells(text)
        assert [title for title, _, _ in blocks] == ["y  (12×12)"]
    piped = _render(_wide_result(), 20, terminal=False)
    assert max(len(line) for line in piped.splitlines()) > 100  # natural width, not the console's 20


@pytest.mark.parametrize("width", [60, 80])
def test_conventions_wrap_at_spaces_only_on_a_terminal(width):
    result = Result("conv", {}, conventions=[LONG_RULE], notes=[UNBREAKABLE, LONG_CONVENTION])
    lines = _render(result, width, terminal=True).splitlines()
    unbreakable = lines.index(f"  note: {UNBREAKABLE}")  # a word longer than the line is kept whole
    convention, note = lines[1:unbreakable], lines[unbreakable + 1:]
    assert len(convention) > 1 and len(note) > 1
    assert all(len(line) <= width for line in convention + note)
    assert " ".join(line.strip() for line in convention) == LONG_CONVENTION
    assert note[0].startswith("  note: ")
    assert " ".join([note[0][len("  note: "):]] + [line.strip() for line in note[1:]]) == LONG_CONVENTION


def test_conventions_are_not_wrapped_when_piped():
    result = Result("conv", {}, conventions=[LONG_RULE], notes=[UNBREAKABLE, "a note"])
    assert _render(result, 40, terminal=False).splitlines() == [
        "cnncalc conv", f"  {LONG_CONVENTION}", f"  note: {UNBREAKABLE}", "  note: a note"]


@pytest.mark.parametrize("width, terminal", WIDTHS)
def test_a_vector_is_one_row_labelled_with_its_name(width, terminal):
    result = Result("softmax", {}, forward={"p": np.full(5, 0.2)},
                    backward={"dp": np.array([1.0, 0, 0, -5, 0])}, naming=Naming({}, LAYER_GRADIENTS))
    lines = _render(result, width, terminal).splitlines()
    start = lines.index("dL/dp  (5)")
    assert re.fullmatch(r" +│ 1   2   3    4   5", lines[start + 1])
    assert re.fullmatch(r"─+┼─+", lines[start + 2])
    assert lines[start + 3] == "dL/dp │ 1   0   0   -5   0"
    assert len(lines) == start + 4


def test_row_labels_are_set_off_from_the_data_without_colour():
    text = _render(Result("conv", {}, inputs={"x": np.array([[1.0, 2], [3, 4]])}), 80, terminal=False)
    assert text.splitlines()[-5:] == ["x  (2×2)", "  │ 1   2", "──┼──────", "1 │ 1   2", "2 │ 3   4"]


def test_slices_stand_side_by_side_where_they_fit_and_stack_otherwise():
    result = Result("conv", {}, inputs={"x": np.arange(18.0).reshape(2, 3, 3)})
    wide = _render(result, 80, terminal=True).splitlines()
    assert any("x  (2×3×3) [c=1]" in line and "x  (2×3×3) [c=2]" in line for line in wide)
    narrow = _render(result, 30, terminal=True).splitlines()
    assert "x  (2×3×3) [c=1]" in narrow and "x  (2×3×3) [c=2]" in narrow
    assert "…" not in "".join(wide + narrow)


def test_the_view_model_holds_formatted_grids_names_and_positions():
    result = Result("pool", {}, conventions=[Rule(RuleId.POOL_MAX)], notes=["n"], warnings=["w"],
                    inputs={"x": np.arange(8.0).reshape(2, 2, 2) / 4}, forward={"y": np.array(2.5)},
                    backward={"dx": np.array([0.5, 1.0])}, positions={"argmax": np.array([[[0, 1], [1, 0]]])},
                    naming=Naming({"x": "I", "L": "C"}, LAYER_GRADIENTS))
    view = build_view(result, precision=3, base=0)
    assert [s.title for s in view.sections] == ["Inputs", "Forward", "Backward", "Details"]
    x = view.sections[0].tensors[0]
    assert (x.key, x.name, x.shape) == ("x", "I", (2, 2, 2))
    assert [g.slice_label for g in x.grids] == ["c=0", "c=1"]
    assert x.grids[1].row_labels == ["0", "1"] and x.grids[1].column_labels == ["0", "1"]
    assert x.grids[1].cells == [["1", "1.25"], ["1.5", "1.75"]]
    assert view.sections[1].tensors[0].scalar == "2.5" and view.sections[1].tensors[0].grids == []
    dx = view.sections[2].tensors[0]
    assert dx.name == "dC/dI" and dx.grids[0].row_labels == ["dC/dI"] and dx.grids[0].cells == [["0.5", "1"]]
    argmax = view.sections[3].tensors[0]
    assert argmax.kind == POSITIONS and argmax.shape == (1, 2)
    assert argmax.grids[0].cells == [["(0,1)", "(1,0)"]]
    assert (view.conventions, view.notes, view.warnings) == (["y[i,j] = max over the window (padding counts as −∞); argmax = where that max sits in x"], ["n"], ["w"])


# ≈0: residue relative to the tensor's scale

def test_residue_of_a_cancelled_sum_prints_as_approximately_zero_beside_entries_near_one():
    residue = 0.1 + 0.2 - 0.3
    assert residue != 0 and abs(residue) < 1e-16
    view = build_view(Result("fc", {}, backward={"dw": np.array([residue, 1.0, -0.8])}))
    assert view.sections[0].tensors[0].grids[0].cells == [["≈0", "1", "-0.8"]]


def test_a_real_small_value_beside_one_is_shown():
    view = build_view(Result("softmax", {}, forward={"p": np.array([9.4e-14, 1.0])}))
    assert view.sections[0].tensors[0].grids[0].cells == [["9.400e-14", "1"]]


def test_the_residue_threshold_is_64_ulps_of_the_largest_entry():
    scale = 3.0
    threshold = 64 * 2.220446049250313e-16 * scale  # 64 ulps: 64 × float64's machine epsilon, 2^-52
    assert is_residue(0.99 * threshold, scale) and not is_residue(1.01 * threshold, scale)
    assert format_number(-0.99 * threshold, 4, scale) == "≈0"
    assert format_number(5.6e-17) == "5.600e-17"  # a lone number is never residue


def test_softmax_of_0_and_30_shows_its_tiny_probability():
    """p = [e^-30/(1+e^-30), 1/(1+e^-30)]: the first entry is 9.36e-14, a real value."""
    out = subprocess.run([sys.executable, "-m", "cnncalc", "softmax", "-z", "0 30", "--target", "1"],
                         capture_output=True, text=True, env={"NO_COLOR": "1", "COLUMNS": "80", "PATH": ""})
    assert out.returncode == 0, out.stderr
    tiny = math.exp(-30) / (1 + math.exp(-30))
    p_row = next(line for line in out.stdout.splitlines() if line.startswith("p │"))
    assert p_row.split("│")[1].split() == [f"{tiny:.3e}", "1"]
    assert "≈0" not in out.stdout


# The case, through the CLI, written to a file

@pytest.mark.parametrize("precision", [None, "2"])
def test_cli_table_written_to_a_file_crops_nothing(tmp_path, precision):
    args = [sys.executable, "-m", "cnncalc", "conv", "-x", "{random: {shape: [12, 12], seed: 0}}", "-w", "1 1; 1 1"]
    args += ["--precision", precision] if precision else []
    env = {"COLUMNS": "80", "NO_COLOR": "1", "PATH": ""}
    with open(tmp_path / "f.txt", "w") as target:
        subprocess.run(args, stdout=target, env=env, check=True)
    text = (tmp_path / "f.txt").read_text()
    assert "…" not in text and "\x1b[" not in text
    answer = subprocess.run(args + ["--json"], capture_output=True, text=True, env=env, check=True).stdout
    y = np.array(json.loads(answer)["forward"]["y"]["data"])
    section = text.split("\nForward\n", 1)[1]
    cells, _ = _grid_cells(section)
    digits = int(precision or 4)
    assert cells == {(str(r + 1), str(c + 1)): _expected_text(y[r, c], digits) for r in range(11) for c in range(11)}


def test_an_empty_axis_renders_as_an_empty_grid():
    result = Result("conv", {}, inputs={"x": np.zeros((2, 0)), "v": np.zeros(0)})
    for terminal in (True, False):
        assert _render(result, 60, terminal).splitlines()[-9:] == [
            "x  (2×0)", "  │", "──┼─", "1 │", "2 │", "v  (0)", "  │", "──┼─", "v │"]
