"""--format latex: golden texts, hand-checked values in the matrices and derivations, escaping,
and every example compiled by a real engine (pdflatex) when one is installed."""

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from cnncalc.render.latex_text import identifier, number, prose
from writeup_helpers import EXPECTED, SEEDS, example_commands, run_from_root

PDFLATEX = shutil.which("pdflatex")
NO_ENGINE = "pdflatex not found: install texlive-latex-base (.ci/run does so where apt-get can)"


@pytest.mark.parametrize("name", SEEDS)
def test_latex_matches_its_golden_text(name, monkeypatch):
    out = run_from_root(monkeypatch, *SEEDS[name], "--format", "latex")
    assert out == (EXPECTED / f"{name}.tex").read_text()


def test_seed002_matrices_hold_the_hand_checked_answers(monkeypatch):
    out = run_from_root(monkeypatch, "conv", "examples/seed002_conv_bias.yaml", "--format", "latex")
    # the example's hand-checked expect: y, dx, dw, db
    assert r"O = \begin{bmatrix} 8 & 1 \\ 3 & 6 \end{bmatrix} \quad (2 \times 2)" in out
    assert (r"\frac{\partial L}{\partial I} = \begin{bmatrix} 1 & 1 & -2 \\ 1 & 6 & -1 \\ -2 & 2 & 0 "
            r"\end{bmatrix}") in out
    assert r"\frac{\partial L}{\partial W} = \begin{bmatrix} -1 & 3 \\ 7 & 0 \end{bmatrix}" in out
    assert r"\[ \frac{\partial L}{\partial b} = 3 \]" in out
    assert not out.startswith(r"\documentclass") and "amsmath" in out.splitlines()[0]


def test_seed002_symbolic_has_the_right_dI12_where_the_write_up_erred(monkeypatch):
    out = run_from_root(monkeypatch, "conv", "examples/seed002_symbolic.yaml", "--format", "latex")
    # hand-derived: dL/dI_12 = dL/dO_11·W_12 + dL/dO_12·W_11 (the write-up had W_22 for the first)
    assert (r"\frac{\partial L}{\partial I_{12}} &= \frac{\partial L}{\partial O_{11}} \cdot W_{12} + "
            r"\frac{\partial L}{\partial O_{12}} \cdot W_{11}") in out
    assert r"O_{11} &= I_{11} \cdot W_{11} + I_{12} \cdot W_{12} + I_{21} \cdot W_{21} + I_{22} \cdot W_{22} + b" in out
    blocks = re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", out, re.S)
    rows = [row for block in blocks for row in block.split(" \\\\\n") if not row.startswith("&")]
    assert len(rows) == 4 + 9 + 4 + 1  # every O, dI, dW entry and db: one aligned line each


def test_seed000_column_kernel_keeps_the_homeworks_single_subscript(monkeypatch):
    out = run_from_root(monkeypatch, *SEEDS["seed000_shapes"], "--format", "latex")
    assert (r"\frac{\partial C}{\partial X_{21}} &= \frac{\partial C}{\partial Y_{11}} \cdot K_{2} + "
            r"\frac{\partial C}{\partial Y_{21}} \cdot K_{1}") in out
    assert r"\frac{\partial C}{\partial K_{1}} &=" in out


def test_pipeline_names_keep_the_users_subscripts_and_slices_share_a_row(monkeypatch):
    out = run_from_root(monkeypatch, "pipeline", "examples/seed001_homework11.yaml", "--format", "latex")
    assert r"\mathrm{fc}_{1} = \begin{bmatrix} 39.6 & 39.6 & 39.6 & 39.6 & 39.6 \end{bmatrix}" in out
    # conv_1 = [[-22,-22],[-26,-26]], [[98,100],[100,98]] (the homework's answer), both channels in one row
    assert (r"\mathrm{conv}_{1} \quad (2 \times 2 \times 2)\colon \quad \underset{\text{c=1}}{\begin{bmatrix} "
            r"-22 & -22 \\ -26 & -26 \end{bmatrix}} \quad \underset{\text{c=2}}{\begin{bmatrix} 98 & 100 \\ "
            r"100 & 98 \end{bmatrix}}") in out


def test_standalone_is_a_whole_document_needing_only_amsmath(monkeypatch):
    out = run_from_root(monkeypatch, "conv", "examples/seed002_conv_bias.yaml", "--format", "latex", "--standalone")
    assert out.startswith("\\documentclass{article}\n")
    code = "\n".join(line for line in out.splitlines() if not line.startswith("%"))
    assert re.findall(r"\\usepackage\{([^}]*)\}", code) == ["amsmath"]
    assert out.rstrip().endswith(r"\end{document}")


def test_standalone_without_latex_is_refused(monkeypatch):
    from cli_helpers import cnncalc

    run = cnncalc("conv", "-x", "3x3", "-w", "2x2", "--standalone")
    assert run.code == 2 and "--standalone" in run.err and "--format latex" in run.err


def test_special_characters_are_escaped():
    assert prose("a#b $5 100% R&D x_1 {y} ~z ^w \\v") == (
        r"a\#b \$5 100\% R\&D x\_1 \{y\} \textasciitilde{}z \textasciicircum{}w \textbackslash{}v")
    assert identifier("W") == "W" and identifier("conv_1") == r"\mathrm{conv}_{1}"
    assert identifier("a#b") == r"\text{a\#b}" and identifier("σ") == r"\sigma"


def test_unicode_math_becomes_latex_and_nothing_else_is_lost():
    text = prose("L = ½·Σ(y − t)², ⌊(H − 1) / s⌋ + 1 → Wᵀ, 180°, ≈0")
    assert text.isascii()
    for command in (r"\tfrac{1}{2}", r"\cdot", r"\Sigma", "^{2}", r"\lfloor", r"\rfloor", r"\to",
                    r"^{\mathsf{T}}", r"^{\circ}", r"\approx"):
        assert command in text
    assert prose("א") == r"\texttt{<U+05D0>}"  # kept visible, never dropped
    assert number("6.939e-18") == r"6.939 \times 10^{-18}" and number("≈0") == r"\approx 0"


def test_every_line_of_every_seed_golden_is_ascii():
    for name in SEEDS:
        assert (EXPECTED / f"{name}.tex").read_text().isascii(), name


def _compile(tex: str, folder, name: str) -> tuple[int, str]:
    source = folder / f"{name}.tex"
    source.write_text(tex)
    done = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-draftmode", source.name],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    return done.returncode, (folder / f"{name}.log").read_text(errors="replace")


@pytest.mark.skipif(PDFLATEX is None, reason=NO_ENGINE)
def test_every_example_compiles_with_pdflatex(monkeypatch, tmp_path):
    """Every example's --standalone output, plain with --explain and with --symbolic, and names full
    of special characters: compiled, no error, nothing pushed far off the page."""
    runs = example_commands() + [("specials", ("conv", "-x", "3x3", "-w", "2x2", "--symbolic", "--names",
                                               "x=a#b,w=$w%,y=y&_{}~^"))]
    sources = {name: run_from_root(monkeypatch, *args, "--format", "latex", "--standalone") for name, args in runs}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = dict(zip(sources, pool.map(lambda item: _compile(item[1], tmp_path, item[0]), sources.items())))
    for name, (code, log) in results.items():
        assert code == 0, (name, [line for line in log.splitlines() if line.startswith("!")])
        overfull = [float(w) for w in re.findall(r"Overfull \\hbox \((\d+\.\d+)pt too wide", log)]
        assert all(w < 30 for w in overfull), (name, overfull)
