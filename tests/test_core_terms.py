"""Term maps and window lookups against the loop oracles in tests/ and PyTorch goldens.

Every entry's terms, evaluated with the numbers, must give the entry the loop references (and
PyTorch) computed; the pairs themselves must be the loop oracle's, in the same order.
"""

import ast
import json
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference_conv
import reference_layers as layers
from cnncalc.core.geometry import offset_reads, window_cells, window_geometry, windows_covering
from cnncalc.core.pool import avgpool_divisor, maxpool2d_backward, maxpool2d_forward, pool_geometry
from cnncalc.core.terms import ConvTermMap, FcTermMap
from cnncalc.core.terms_pool import AvgPoolTermMap, MaxPoolTermMap
from cnncalc.vocabulary import POOL_TIES
from reference_terms import conv_pairs, fc_pairs, geometries, window_cells_loop
from test_conv_properties import conv_problems as float_conv_problems
from test_core_pool import pool_problems as pool_options

PROPERTY = settings(max_examples=40, deadline=None)
TOL = dict(rtol=1e-12, atol=1e-12)
GOLDENS = Path(__file__).parent / "goldens"
CORE = Path(__file__).parent.parent / "cnncalc" / "core"


def evaluated(tmap, target, values, **options):
    """The whole tensor `target`, one entry at a time from its terms."""
    shape = tmap.shapes()[target]
    return np.array([t.evaluate(values) for t in tmap.entries(target, **options)], dtype=float).reshape(shape)


def agree(got, expected, exact):
    if exact:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, **TOL)


# --- strategies -----------------------------------------------------------------------------------

@st.composite
def conv_problems(draw):
    """test_conv_properties' problems plus anchor padding, dy, and integer values half the time
    (then every sum is exact)."""
    p = dict(draw(float_conv_problems()))
    geom = p["geom"]
    if draw(st.integers(0, 3)) == 0:
        anchor = tuple(draw(st.integers(0, k - 1)) for k in geom.kernel_hw)
        p["geom"] = window_geometry(geom.in_hw, geom.kernel_hw, geom.stride, None, geom.dilation, anchor=anchor,
                                    mode=p["mode"])
    p["dy"] = p["rng"].uniform(-2, 2, (p["x"].shape[0], p["w"].shape[0]) + p["geom"].out_hw)
    p["integer"] = draw(st.booleans())
    if p["integer"]:
        p.update({k: np.round(2 * p[k]) for k in ("x", "w", "b", "dy") if p[k] is not None})
    return p


def conv_map(p, mode=None):
    return ConvTermMap(p["x"].shape, p["w"].shape, p["geom"], p["groups"], mode or p["mode"], p["b"] is not None)


def conv_reference(p, mode=None):
    """y, dx, dw, db from tests/reference_conv.py's loops (the geometry's explicit padding)."""
    g = p["geom"]
    args = dict(stride=g.stride, padding=g.padding, dilation=g.dilation, groups=p["groups"], mode=mode or p["mode"])
    y = reference_conv.conv2d(p["x"], p["w"], p["b"], **args)
    dx, dw, db = reference_conv.conv2d_grads(p["dy"], p["x"], p["w"], p["b"], **args)
    return dict(y=y, dx=dx, dw=dw, db=db)


# --- geometry ---------------------------------------------------------------------------------------

def test_window_lookups_hand_checked():
    geom = window_geometry((5, 5), (3, 3), 2, 1)  # out 3×3; window (i, j) starts at (2i − 1, 2j − 1)
    cells = window_cells(geom, 0, 2)
    assert cells.cells[:3].tolist() == [[-1, 3], [-1, 4], [-1, 5]]
    assert cells.inside.tolist() == [False] * 3 + [True, True, False] * 2
    cover = windows_covering(geom, 0, 3)  # row 0 = 2·0 + 1 − 1; col 3 = 2·1 + 2 − 1 = 2·2 + 0 − 1
    assert cover.windows.tolist() == [[0, 1], [0, 2]] and cover.offsets.tolist() == [[1, 2], [1, 0]]


@PROPERTY
@given(geometries(ceil_mode=False) | geometries(ceil_mode=True))
def test_window_cells_follow_the_loop_formula(geom):
    for i, j in np.ndindex(*geom.out_hw):
        found = window_cells(geom, i, j)
        expected = window_cells_loop(geom, i, j)
        assert found.cells.tolist() == [list(cell) for cell, _, _ in expected]
        assert found.offsets.tolist() == [list(offset) for _, offset, _ in expected]
        assert found.inside.tolist() == [inside for _, _, inside in expected]


@PROPERTY
@given(geometries(ceil_mode=False) | geometries(ceil_mode=True))
def test_windows_covering_is_the_inverse_of_window_cells(geom):
    """(i, j) covers (r, c) at offset (a, e) iff window (i, j) reads (r, c) at (a, e), padding too."""
    reads = {}
    for i, j in np.ndindex(*geom.out_hw):
        found = window_cells(geom, i, j)
        for (r, c), (a, e) in zip(found.cells.tolist(), found.offsets.tolist()):
            reads.setdefault((r, c), []).append((i, j, a, e))
    (top, bottom), (left, right) = geom.padding
    extent = geom.read_extent_hw()
    for r in range(-top - 1, extent[0] - top + 1):
        for c in range(-left - 1, extent[1] - left + 1):
            cover = windows_covering(geom, r, c)
            got = [tuple(w) + tuple(o) for w, o in zip(cover.windows.tolist(), cover.offsets.tolist())]
            assert got == sorted(reads.get((r, c), []))  # ordered by window, row-major


@PROPERTY
@given(geometries())
def test_offset_reads_are_the_windows_with_a_real_cell_there(geom):
    for a, e in np.ndindex(*geom.kernel_hw):
        (i, r), (j, c) = offset_reads(geom, a, e)
        expected = {(wi, wj, tuple(cell)) for wi, wj in np.ndindex(*geom.out_hw)
                    for cell, offset, inside in [window_cells_loop(geom, wi, wj)[a * geom.kernel_hw[1] + e]]
                    if inside}
        assert {(p, q, (rr, cc)) for p, rr in zip(i, r) for q, cc in zip(j, c)} == expected


# --- conv ---------------------------------------------------------------------------------------------

@PROPERTY
@given(conv_problems())
def test_conv_terms_sum_to_the_loop_reference_for_every_entry(p):
    tmap, reference = conv_map(p), conv_reference(p)
    for target in ("y", "dx", "dw", "db"):
        if reference[target] is None:
            assert target not in tmap.shapes()
            continue
        agree(evaluated(tmap, target, p), reference[target], p["integer"])


@PROPERTY
@given(conv_problems())
def test_conv_pairs_are_the_loop_oracles_in_its_order(p):
    tmap = conv_map(p)
    oracle = conv_pairs(p["x"].shape, p["w"].shape, p["geom"], p["groups"], p["mode"])
    for target in ("y", "dx", "dw"):
        for terms in tmap.entries(target):
            assert terms.rows() == oracle[target].get(terms.entry, []), (target, terms.entry)
    for terms in tmap.entries("y"):
        assert terms.bias == ((terms.entry[1],) if p["b"] is not None else None)
    if p["b"] is not None:
        n, o, ho, wo = tmap.shapes()["y"]
        for terms in tmap.entries("db"):
            assert terms.rows() == [((ni, terms.entry[0], i, j),) for ni, i, j in np.ndindex(n, ho, wo)]


@settings(max_examples=25, deadline=None)
@given(conv_problems())
def test_the_other_mode_is_the_map_of_the_other_convention(p):
    """A mistaken convention is the map with the other mode: it sums to the loop reference run that way."""
    other = "convolution" if p["mode"] == "correlation" else "correlation"
    tmap, reference = conv_map(p).with_mode(other), conv_reference(p, other)
    assert tmap.mode == other
    for target in ("y", "dx", "dw"):
        agree(evaluated(tmap, target, p), reference[target], p["integer"])


def test_conv_terms_add_up_exactly_in_fractions():
    rng = np.random.default_rng(7)
    quarters = lambda shape: rng.integers(-8, 9, shape) / 4  # noqa: E731 (exact in binary)
    x, w, b = quarters((2, 4, 5, 4)), quarters((4, 2, 2, 3)), quarters(4)
    geom = window_geometry((5, 4), (2, 3), (2, 1), ((1, 0), (2, 1)), (1, 2), mode="convolution")
    dy = quarters((2, 4) + geom.out_hw)
    p = dict(x=x, w=w, b=b, dy=dy, geom=geom, groups=2, mode="convolution")
    exact = {k: np.vectorize(Fraction, otypes=[object])(v) for k, v in p.items() if k in ("x", "w", "b", "dy")}
    # quarters: every product and sum is exact in binary, so the loop reference's floats are exact too
    tmap, reference = conv_map(p), conv_reference(p)
    for target in ("y", "dx", "dw", "db"):
        for terms in tmap.entries(target):
            value = terms.evaluate(exact)
            assert isinstance(value, (Fraction, int)) and value == Fraction(reference[target][terms.entry])


def test_one_entry_of_the_large_conv_is_small():
    """Lazy: N=8, C=64, 56×56, 3×3, padding 1 — one entry's terms only, O(C·k²) or O(N·Ho·Wo)."""
    geom = window_geometry((56, 56), (3, 3), 1, 1)
    tmap = ConvTermMap((8, 64, 56, 56), (64, 64, 3, 3), geom)
    assert len(tmap.y(3, 10, 20, 30)) == 64 * 9 and len(tmap.y(0, 0, 0, 0)) == 64 * 4
    assert len(tmap.dx(3, 10, 20, 30)) == 64 * 9
    assert len(tmap.dw(5, 10, 0, 0)) == 8 * 55 * 55 and len(tmap.db(5)) == 8 * 56 * 56


def test_the_seeds_two_mistaken_entries_hand_checked():
    """dL/dI_12 = dL/dO_11·W_12 + dL/dO_12·W_11 (3×3 input, 2×2 kernel) and
    dC/dx_21 = dC/dy_11·k_2 + dC/dy_21·k_1 (2×1 kernel), written 0-based."""
    square = ConvTermMap((1, 1, 3, 3), (1, 1, 2, 2), window_geometry((3, 3), (2, 2)))
    assert square.dx(0, 0, 0, 1).rows() == [((0, 0, 0, 0), (0, 0, 0, 1)), ((0, 0, 0, 1), (0, 0, 0, 0))]
    column = ConvTermMap((1, 1, 3, 1), (1, 1, 2, 1), window_geometry((3, 1), (2, 1)))
    assert column.dx(0, 0, 1, 0).rows() == [((0, 0, 0, 0), (0, 0, 1, 0)), ((0, 0, 1, 0), (0, 0, 0, 0))]
    assert column.y(0, 0, 1, 0).index("x").tolist() == [[0, 0, 1, 0], [0, 0, 2, 0]]


def test_conv_map_refuses_what_does_not_fit():
    geom = window_geometry((4, 4), (3, 3))
    with pytest.raises(ValueError):
        ConvTermMap((1, 2, 4, 4), (2, 2, 3, 3), geom, mode="convolve")
    with pytest.raises(ValueError):
        ConvTermMap((1, 3, 4, 4), (2, 2, 3, 3), geom)
    tmap = ConvTermMap((1, 2, 4, 4), (2, 2, 3, 3), geom, has_bias=False)
    with pytest.raises(IndexError):
        tmap.y(0, 0, 2, 0)
    with pytest.raises(IndexError):
        tmap.dx(0, 0, -1, 0)
    with pytest.raises(KeyError):
        tmap.entry("db", (0,))


# --- conv goldens (PyTorch) -----------------------------------------------------------------------------

CONV_CASES = json.loads((GOLDENS / "conv.json").read_text())["cases"]


@pytest.mark.parametrize("case", CONV_CASES, ids=[c["id"] for c in CONV_CASES])
def test_conv_terms_match_torch_goldens(case):
    t = {k: None if case[k] is None else np.array(case[k], dtype=np.float64)
         for k in ("x", "w", "b", "dy", "y", "dx", "dw", "db")}
    opt = case["options"]
    geom = window_geometry(t["x"].shape[2:], t["w"].shape[2:], opt["stride"], opt["padding"], opt["dilation"],
                           mode=opt["mode"])
    tmap = ConvTermMap(t["x"].shape, t["w"].shape, geom, opt["groups"], opt["mode"], t["b"] is not None)
    for target in ("y", "dx", "dw") + (("db",) if t["b"] is not None else ()):
        np.testing.assert_allclose(evaluated(tmap, target, t), t[target], **TOL, err_msg=target)
    oracle = conv_pairs(t["x"].shape, t["w"].shape, geom, opt["groups"], opt["mode"])
    for target in ("y", "dx", "dw"):
        assert all(terms.rows() == oracle[target].get(terms.entry, []) for terms in tmap.entries(target))


# --- fc ---------------------------------------------------------------------------------------------------

@PROPERTY
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.sampled_from(["out-in", "in-out"]),
       st.booleans(), st.integers(0, 2**32 - 1))
def test_fc_terms_are_the_oracles_and_sum_exactly(n, m, k, layout, has_bias, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, (n, m)).astype(float)
    w = rng.integers(-5, 6, (k, m) if layout == "out-in" else (m, k)).astype(float)
    b, dy = (rng.integers(-5, 6, k).astype(float) if has_bias else None), rng.integers(-5, 6, (n, k)).astype(float)
    tmap = FcTermMap(x.shape, w.shape, layout, has_bias)
    values = dict(x=x, w=w, b=b, dy=dy)
    w_out_in = w if layout == "out-in" else w.T
    dx, dw_out_in, db = layers.fc_backward(dy, x, w_out_in)  # loops: x·wᵀ read forwards and backwards
    reference = dict(y=layers.fc(x, w_out_in, b), dx=dx, dw=dw_out_in if layout == "out-in" else dw_out_in.T,
                     db=db if has_bias else None)
    oracle = fc_pairs(x.shape, w.shape, layout)
    for target in tmap.shapes():
        np.testing.assert_array_equal(evaluated(tmap, target, values), reference[target])
        if target != "db":
            assert all(t.rows() == oracle[target][t.entry] for t in tmap.entries(target))
    assert ("db" in tmap.shapes()) == has_bias


FC_CASES = json.loads((GOLDENS / "fc.json").read_text())["cases"]


@pytest.mark.parametrize("case", FC_CASES, ids=[c["id"] for c in FC_CASES])
def test_fc_terms_match_torch_goldens(case):
    t = {k: None if case[k] is None else np.array(case[k], dtype=np.float64) for k in
         ("x", "w", "b", "dy", "y", "dx", "dw", "db")}
    tmap = FcTermMap(t["x"].shape, t["w"].shape, case["layout"], t["b"] is not None)
    for target in tmap.shapes():
        np.testing.assert_allclose(evaluated(tmap, target, t), t[target], **TOL, err_msg=target)


# --- pools ------------------------------------------------------------------------------------------------

@st.composite
def pool_problems(draw, kind):
    """test_core_pool's problems with x cut to 1–3 integer levels (ties everywhere), integer dy,
    the geometry, and the loop reference's arguments."""
    x, opts = draw(pool_options(kind))
    x = np.floor(x) % draw(st.integers(1, 3))
    geom = pool_geometry(x.shape[2:], opts["kernel"], opts["stride"], opts["padding"], opts["dilation"],
                         opts["ceil_mode"], kind)
    dy = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(-4, 5, x.shape[:2] + geom.out_hw)
    reference_args = (opts["kernel"], opts["stride"] or opts["kernel"], opts["padding"], opts["dilation"],
                      opts["ceil_mode"])
    return x, dy.astype(float), geom, reference_args


@PROPERTY
@given(pool_problems("max"))
def test_max_pool_windows_and_routing_match_the_fast_path_and_oracle(problem):
    x, dy, geom, opts = problem
    tmap, forward = MaxPoolTermMap(x, geom), maxpool2d_forward(x, geom)
    y_ref, argmax_ref, tied_ref = layers.max_pool(x, *opts)
    np.testing.assert_array_equal(evaluated(tmap, "y", dict(x=x))[np.isfinite(y_ref)], y_ref[np.isfinite(y_ref)])
    for index in np.ndindex(*forward.y.shape):
        window = tmap.window(*index)
        assert window.maximum == forward.y[index]
        assert window.argmax[2:] == tuple(forward.argmax[index]) == tuple(argmax_ref[index])
        assert [tuple(c[2:]) for c in window.cells[window.tied].tolist()] == tied_ref[index]
    for ties in POOL_TIES:
        expected = maxpool2d_backward(dy, x, geom, ties).dx
        agree(evaluated(tmap, "dx", dict(dy=dy), ties=ties), expected, exact=ties != "split")
        np.testing.assert_allclose(expected, layers.max_pool_backward(dy, x, *opts, ties), **TOL)


@PROPERTY
@given(pool_problems("max"), st.sampled_from(POOL_TIES))
def test_max_pool_routes_each_window_by_its_tie_rule(problem, ties):
    x, _, geom, opts = problem
    tmap = MaxPoolTermMap(x, geom)
    _, argmax_ref, tied_ref = layers.max_pool(x, *opts)
    for index, tied in tied_ref.items():
        routing = tmap.route(*index, ties=ties)
        expected = tied if ties != "first" or not tied else [tuple(argmax_ref[index])]
        assert [tuple(c[:2]) for c in routing.cells.tolist()] == [index[:2]] * len(expected)
        assert [tuple(c[2:]) for c in routing.cells.tolist()] == expected
        assert routing.divisor.tolist() == [len(tied) if ties == "split" else 1] * len(expected)
        for cell, divisor in zip(routing.cells.tolist(), routing.divisor.tolist()):
            dx = tmap.dx(*cell, ties=ties)  # the inverse lookup lists this window with the same share
            assert (index, divisor) in zip(map(tuple, dx.indices[0].tolist()), dx.divisor.tolist())


def test_max_pool_ties_hand_checked():
    x = np.array([[[[1.0, 3.0, 3.0], [3.0, 0.0, 2.0]]]])  # 2×2 windows, stride 1: both windows tie on 3
    tmap = MaxPoolTermMap(x, pool_geometry((2, 3), 2, 1))
    assert tmap.window(0, 0, 0, 0).argmax == (0, 0, 0, 1)
    assert tmap.route(0, 0, 0, 0, "split").cells[:, 2:].tolist() == [[0, 1], [1, 0]]
    shared = tmap.dx(0, 0, 0, 2, ties="split")  # (0, 2) ties only in window (0, 1), with (0, 1)
    assert shared.indices[0].tolist() == [[0, 0, 0, 1]] and shared.divisor.tolist() == [2]
    assert tmap.dx(0, 0, 0, 1, ties="first").indices[0].tolist() == [[0, 0, 0, 0], [0, 0, 0, 1]]
    with pytest.raises(ValueError):
        tmap.route(0, 0, 0, 0, "both")


@PROPERTY
@given(pool_problems("avg"), st.booleans())
def test_avg_pool_terms_match_the_loop_references(problem, count_include_pad):
    x, dy, geom, (k, stride, pad, _, ceil_mode) = problem
    tmap = AvgPoolTermMap(x.shape, geom, count_include_pad)
    divisor = avgpool_divisor(geom, count_include_pad)
    for terms in tmap.entries("y"):
        cells, expected = layers._avg_window(*terms.entry[2:], x.shape[2:], k, stride, pad, count_include_pad)
        assert [tuple(c[2:]) for c in terms.indices[0].tolist()] == cells
        assert terms.divisor.tolist() == [expected] * len(cells) == [divisor[terms.entry[2:]]] * len(cells)
    reference_y = layers.avg_pool(x, k, stride, pad, ceil_mode, count_include_pad)
    np.testing.assert_allclose(evaluated(tmap, "y", dict(x=x)), reference_y, **TOL)
    reference_dx = layers.avg_pool_backward(dy, x.shape, k, stride, pad, ceil_mode, count_include_pad)
    np.testing.assert_allclose(evaluated(tmap, "dx", dict(dy=dy)), reference_dx, **TOL)


POOL_CASES = json.loads((GOLDENS / "pool.json").read_text())["cases"]


@pytest.mark.parametrize("case", POOL_CASES, ids=[c["id"] for c in POOL_CASES])
def test_pool_terms_match_torch_goldens(case):
    opt, x, dy = case["options"], np.array(case["x"], dtype=float), np.array(case["dy"], dtype=float)
    geom = pool_geometry(x.shape[2:], opt["kernel_size"], opt["stride"], opt["padding"], opt.get("dilation", 1),
                         opt["ceil_mode"], case["kind"])
    if case["kind"] == "max":
        tmap, options = MaxPoolTermMap(x, geom), dict(ties="first")
        argmax = [tmap.window(*index).argmax[2:] for index in np.ndindex(*tmap.shapes()["y"])]
        assert np.array(argmax).reshape(np.shape(case["argmax"])).tolist() == case["argmax"]
    else:
        tmap, options = AvgPoolTermMap(x.shape, geom, opt["count_include_pad"]), {}
    np.testing.assert_allclose(evaluated(tmap, "y", dict(x=x)), case["y"], **TOL)
    np.testing.assert_allclose(evaluated(tmap, "dx", dict(dy=dy), **options), case["dx"], **TOL)


# --- the core stays pure -------------------------------------------------------------------------------

def test_term_modules_import_only_numpy_the_standard_library_and_the_core():
    for path in sorted(CORE.glob("terms*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                root = name.split(".")[0]
                assert root == "numpy" or root in sys.stdlib_module_names or name.startswith("cnncalc.core.") \
                    or name == "cnncalc.vocabulary", \
                    f"{path.name} imports {name}"
