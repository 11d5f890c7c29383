"""Symbolic formulas: the seeds' notations entry by entry, hand-checked and against a loop oracle."""

import itertools


from cnncalc.check.polynomial import Polynomial, Symbol, format_polynomial
from explain_helpers import explained, formula_lines

SEED_000 = {  # seed 000 (X 3×3, K 2×1, Y = conv(X, K)); the write-up's 4) and 7)-9) were wrong
    "Y_11": "X_11·K_1 + X_21·K_2", "Y_23": "X_23·K_1 + X_33·K_2",
    "dC/dX_11": "dC/dY_11·K_1", "dC/dX_13": "dC/dY_13·K_1",
    "dC/dX_21": "dC/dY_11·K_2 + dC/dY_21·K_1",
    "dC/dX_22": "dC/dY_12·K_2 + dC/dY_22·K_1",
    "dC/dX_31": "dC/dY_21·K_2", "dC/dX_33": "dC/dY_23·K_2",
    "dC/dK_1": "dC/dY_11·X_11 + dC/dY_12·X_12 + dC/dY_13·X_13 + dC/dY_21·X_21 + dC/dY_22·X_22 + dC/dY_23·X_23",
    "dC/dK_2": "dC/dY_11·X_21 + dC/dY_12·X_22 + dC/dY_13·X_23 + dC/dY_21·X_31 + dC/dY_22·X_32 + dC/dY_23·X_33",
}

SEED_002 = {  # seed 002 (I 3×3, W 2×2, b); the write-up's dL/dI_12 had W_22 where W_12 belongs
    "O_11": "I_11·W_11 + I_12·W_12 + I_21·W_21 + I_22·W_22 + b",
    "O_22": "I_22·W_11 + I_23·W_12 + I_32·W_21 + I_33·W_22 + b",
    "dL/db": "dL/dO_11 + dL/dO_12 + dL/dO_21 + dL/dO_22",
    "dL/dW_12": "dL/dO_11·I_12 + dL/dO_12·I_13 + dL/dO_21·I_22 + dL/dO_22·I_23",
    "dL/dI_11": "dL/dO_11·W_11", "dL/dI_13": "dL/dO_12·W_12",
    "dL/dI_31": "dL/dO_21·W_21", "dL/dI_33": "dL/dO_22·W_22",
    "dL/dI_12": "dL/dO_11·W_12 + dL/dO_12·W_11",
    "dL/dI_21": "dL/dO_11·W_21 + dL/dO_21·W_11",
    "dL/dI_22": "dL/dO_11·W_22 + dL/dO_12·W_21 + dL/dO_21·W_12 + dL/dO_22·W_11",
    "dL/dI_23": "dL/dO_12·W_22 + dL/dO_22·W_12",
    "dL/dI_32": "dL/dO_21·W_22 + dL/dO_22·W_21",
}


def test_seed_000_notation_entry_by_entry():
    result, explanation = explained("conv", x="3x3", w="2x1", symbolic=True, names="x=X,w=K,y=Y,L=C")
    lines = formula_lines(result, explanation)
    for target, formula in SEED_000.items():
        assert lines[target] == formula, target
    assert len([t for t in lines if t.startswith("dC/dX")]) == 9 and "dC/dK_2" in lines


def test_seed_002_notation_entry_by_entry():
    result, explanation = explained("conv", x="3x3", w="2x2", b=1, symbolic=True, names="x=I,w=W,y=O")
    lines = formula_lines(result, explanation)
    for target, formula in SEED_002.items():
        assert lines[target] == formula, target
    assert len(lines) == 4 + 9 + 4 + 1


def _loop_formulas(h, w, kh, kw, stride, pad):
    """dx's formulas by walking every window and kernel cell (valid cells only), as polynomials."""
    ho, wo = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    products = {}
    for i, j, a, e in itertools.product(range(ho), range(wo), range(kh), range(kw)):
        r, q = i * stride + a - pad, j * stride + e - pad
        if 0 <= r < h and 0 <= q < w:
            products.setdefault((r, q), []).append([Symbol.grad("y", (i + 1, j + 1)),
                                                    Symbol.entry("w", (a + 1, e + 1))])
    return {(r, q): Polynomial.from_products(p) for r, q in itertools.product(range(h), range(w))
            for p in [products.get((r, q), [])]}


def test_symbolic_dx_matches_a_loop_oracle_with_stride_and_padding():
    result, explanation = explained("conv", x="4x5", w="3x2", stride=2, padding=1, symbolic=True)
    lines = formula_lines(result, explanation)
    spell = lambda s: f"dL/dy_{''.join(map(str, s.indices))}" if s.kind == "grad" else \
        f"{s.name}_{''.join(map(str, s.indices))}"  # noqa: E731
    for (r, q), polynomial in _loop_formulas(4, 5, 3, 2, 2, 1).items():
        assert lines[f"dL/dx_{r + 1}{q + 1}"] == format_polynomial(polynomial, spell)


def test_index_base_zero_and_shapes_only_drop_numbers():
    result, explanation = explained("conv", x="3x3", w="2x2", symbolic=True)
    assert all(f.value is None for s in explanation.steps for t in s.terms for f in t.factors)
    from cli_helpers import cnncalc

    run = cnncalc("conv", "-x", "3x3", "-w", "2x2", "--symbolic", "--index-base", "0", "--json")
    data = run.json()
    assert data["forward"] == {} and data["explanation"]["symbolic"] is True
    targets = [(s["target"]["name"], s["target"]["index"]) for s in data["explanation"]["steps"] if s["target"]]
    assert ("dx", [0, 1]) in targets
    table = cnncalc("conv", "-x", "3x3", "-w", "2x2", "--symbolic", "--index-base", "0").out
    assert "dL/dx_01 = dL/dy_00·w_01 + dL/dy_01·w_00" in table


def test_symbolic_fc_avgpool_act_softmax_and_mse():
    _, fc = explained("fc", x="1x3", w="2x3", b=[1, 1], symbolic=True)
    assert "y_1 = x_1·w_11 + x_2·w_12 + x_3·w_13 + b_1" in _texts(fc)
    _, pool = explained("pool", x="3x3", kind="avg", kernel_size=2, stride=1, symbolic=True)
    assert "y_11 = x_11/4 + x_12/4 + x_21/4 + x_22/4" in _texts(pool)
    _, act = explained("act", x="1x2", kind="relu", symbolic=True)
    assert "dL/dx_1 = dL/dy_1·relu'(x_1)" in _texts(act)
    _, sm = explained("softmax", z="1x3", symbolic=True)
    assert "p_1 = exp(z_1)/Σ exp(z)" in _texts(sm)
    _, mse = explained("loss", y="1x2", target="1x2", symbolic=True)
    assert "L = (y_1 − t_1)²/2 + (y_2 − t_2)²/2" in _texts(mse)


def _texts(explanation):
    from cnncalc.naming import LAYER_GRADIENTS, Naming
    from cnncalc.render.explanation_text import StepWriter

    writer = StepWriter(Naming({}, LAYER_GRADIENTS), explanation.shapes, 4, True)
    return {line for step in explanation.steps for line in writer.lines(step)} | \
        {writer.equation(step) for step in explanation.steps if step.kind in ("sum", "chain")}


def test_padded_cells_drop_out_of_symbolic_sums():
    result, explanation = explained("conv", x="2x2", w="2x2", padding=1, symbolic=True)
    lines = formula_lines(result, explanation)
    assert lines["y_11"] == "x_11·w_22"
    assert lines["y_22"] == "x_11·w_11 + x_12·w_12 + x_21·w_21 + x_22·w_22"
