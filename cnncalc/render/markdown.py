"""`--format markdown`: the view as GitHub-flavoured Markdown, readable on GitHub without plugins.

A table per 2-D slice (GFM has no side-by-side layout, so slices follow one another), headed
by the tensor's name as math, its shape and its slice. Conventions, notes and warnings are a
list; a derivation is a list of steps. Math uses the two forms GitHub renders: $`...`$ inline
and ```math fences for display (a long equation, broken over lines in an aligned block).
"""

from __future__ import annotations

from cnncalc.render.latex import width
from cnncalc.render.latex_explain import broken
from cnncalc.render.latex_names import TexNames, plain_math, segments
from cnncalc.render.latex_steps import tex_explanation
from cnncalc.render.latex_text import PLAIN_NUMBER, number
from cnncalc.render.view import GridView, TensorView, build_view, shape_text

ESCAPED = set("\\`*_[]<>|#~$&!")
INLINE_LIMIT = 70  # an equation wider than this is shown as a display block


def escape(text: str) -> str:
    """Plain text that Markdown shows as it is: every markup character backslash-escaped."""
    return "".join("\\" + char if char in ESCAPED else char for char in text)


def inline(tex: str) -> str:
    """Inline math; a bare number stays plain text."""
    return tex if PLAIN_NUMBER.match(tex) else f"$`{plain_math(tex)}`$"


def mixed(line: str) -> str:
    """A line of words with marked math: words escaped, math inline."""
    return "".join(inline(piece) if is_math else escape(piece) for is_math, piece in segments(line))


def cell(text: str) -> str:
    """A table cell: a number, a marked window cell [v] in bold, or marked math."""
    if len(text) > 2 and text[0] == "[" and text[-1] == "]":
        return f"**{cell(text[1:-1])}**"
    return mixed(text) if "\x0e" in text else escape(text)


def table(grid: GridView) -> list[str]:
    """A GFM table: the column labels as its header, each row led by its label in bold."""
    header = "| | " + " | ".join(escape(label) for label in grid.column_labels) + " |"
    rule = "|---|" + "---:|" * len(grid.column_labels)
    rows = [f"| **{escape(label)}** | " + " | ".join(cell(text) for text in row) + " |"
            for label, row in zip(grid.row_labels, grid.cells)]
    return [header, rule] + rows + [""]


def tensor_md(tensor: TensorView, name: str) -> list[str]:
    """A scalar as `name = value`; otherwise a heading and a table per slice."""
    if tensor.scalar is not None:
        return [inline(f"{name} = {number(tensor.scalar)}"), ""]
    lines = []
    for grid in tensor.grids:
        about = ", ".join(part for part in (shape_text(tensor.shape), tensor.detail, grid.slice_label) if part)
        lines += [f"{inline(name)} ({escape(about)})", ""] + table(grid)
    return lines


def equation_item(line: str) -> list[str]:
    """One equation step as a list item: inline when short, else a math fence, remark after."""
    pieces = segments(line)
    equation, remark = pieces[0][1], "".join(inline(p) if m else escape(p) for m, p in pieces[1:]).strip()
    if width(equation) <= INLINE_LIMIT:
        return [f"- {inline(equation)}{'' if remark[:1] in ('', ';', ',') else ' '}{remark}"]
    body = " \\\\\n  ".join(broken(equation))
    fence = ["- ```math", "  \\begin{aligned}", f"  {body}", "  \\end{aligned}", "  ```"]
    return fence + ([f"  {remark}"] if remark else [])


def explanation_md(explanation) -> list[str]:
    lines = [f"### {escape(explanation.title)}", ""]
    for step in explanation.steps:
        if step.equation:
            lines += equation_item(step.lines[0]) + [f"  {mixed(rest)}" for rest in step.lines[1:]]
        else:
            lines += [f"- {mixed(text)}" for text in step.lines]
        if step.grids:
            lines.append("")
            for grid_tensor in step.grids:
                lines += [escape(grid_tensor.name), ""] + table(grid_tensor.grids[0])
    if explanation.omitted:
        lines += ["", escape(explanation.omitted)]
    return lines + [""]


def render_markdown(result, precision: int = 4, base: int = 1) -> str:
    """The result as GitHub-flavoured Markdown."""
    view = build_view(result, precision, base)
    names = TexNames(result.naming)
    lines = [f"## cnncalc {escape(view.command)}", "", "Conventions in force:", ""]
    lines += [f"- {escape(line)}" for line in view.conventions]
    lines += [f"- note: {escape(line)}" for line in view.notes]
    lines += [f"- warning: {escape(line)}" for line in view.warnings]
    lines.append("")
    for section in view.sections:
        lines += [f"### {section.title}", ""]
        for tensor in section.tensors:
            lines += tensor_md(tensor, names.name(tensor.key))
    if result.explanation is not None:
        lines += explanation_md(tex_explanation(result.explanation, result.naming, precision))
    return "\n".join(lines).rstrip("\n") + "\n"
