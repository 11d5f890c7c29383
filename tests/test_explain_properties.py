"""The explanation can never disagree with the answer: over random layers and options, every
numeric step re-evaluates from its own terms to the computed entry, every factor is the
tensor's entry, and the symbolic formula evaluated at the numbers gives the numeric answer."""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cnncalc.errors import CnnError
from explain_helpers import explained

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INTS = st.integers(-3, 3)


def _ints(draw, shape):
    return np.array(draw(st.lists(INTS, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
                    ).reshape(shape).astype(float)


@st.composite
def conv_fields(draw):
    groups = draw(st.sampled_from([1, 2]))
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    padding = draw(st.sampled_from([0, 1, [1, 0], [[0, 1], [1, 0]], "same", "full"]))
    x_shape = draw(st.sampled_from([(h, w), (c, h, w), (2, c, h, w)])) if c == 1 else \
        draw(st.sampled_from([(c, h, w), (2, c, h, w)]))
    fields = dict(x=_ints(draw, x_shape), w=_ints(draw, (o, c // groups, kh, kw)), groups=groups,
                  stride=draw(st.sampled_from([1, 2, [1, 2]])), padding=padding,
                  dilation=draw(st.sampled_from([1, 2])), mode=draw(st.sampled_from(["correlation", "convolution"])))
    if draw(st.booleans()):
        fields["b"] = _ints(draw, (o,))
    return fields


def _solve_or_skip(command, **fields):
    try:
        return explained(command, **fields)
    except CnnError:
        assume(False)


def _check_numeric(result, explanation, tolerance=0.0):
    shapes = {name: np.shape(result.tensor(name)) for name in result.tensor_names}
    for step in explanation.steps:
        evaluated = step.evaluate()
        if evaluated is None:
            continue
        assert evaluated == pytest.approx(step.value, rel=tolerance, abs=tolerance), step
        if step.target.name in shapes:
            assert step.value == pytest.approx(float(np.asarray(result.tensor(step.target.name))[step.target.index]),
                                               rel=tolerance, abs=tolerance)
        for term in step.terms:
            for factor in term.factors:
                if factor.name in shapes and factor.function is None and factor.power == 1:
                    assert factor.value == np.asarray(result.tensor(factor.name))[factor.index]


def _check_symbolic(result, symbolic, tolerance=0.0):
    """Each symbolic formula evaluated at the tensors' numbers gives the numeric entry."""
    checked = 0
    for step in symbolic.steps:
        if step.kind not in ("sum", "chain") or step.target.name not in result.tensor_names:
            continue
        total = 0.0
        for term in step.terms:
            product = float(term.coefficient)
            for factor in term.factors:
                product *= float(np.asarray(result.tensor(factor.name))[factor.index])
            total += product
        expected = float(np.asarray(result.tensor(step.target.name))[step.target.index])
        assert total == pytest.approx(expected, rel=tolerance, abs=tolerance), step
        checked += 1
    return checked


@SETTINGS
@given(conv_fields())
def test_conv_explanations_sum_to_the_answer(fields):
    result, explanation = _solve_or_skip("conv", dy="{random: {seed: 1, low: -3, high: 3, integers: true}}",
                                         **fields)
    _check_numeric(result, explanation)
    _, symbolic = explained("conv", symbolic=True, dy=result.tensor("dy"), **fields)
    assert _check_symbolic(result, symbolic) > 0
    for step in explanation.steps:  # the whole-tensor views, summed, are dx and dw
        if step.kind == "identity":
            assert np.isfinite(np.array(step.grids[-1].cells)).all()
    _check_identities(result, explanation)


def _check_identities(result, explanation):
    totals = {}
    for step in explanation.steps:
        if step.kind == "identity":
            key = (step.target.name, step.target.index)
            totals[key] = totals.get(key, 0) + np.array(step.grids[-1].cells)
    for (name, index), total in totals.items():
        tensor = np.asarray(result.tensor(name))
        np.testing.assert_array_equal(total, tensor[index] if index else tensor.reshape(total.shape))


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.sampled_from(["out-in", "in-out"]),
       st.booleans(), st.data())
def test_fc_explanations_sum_to_the_answer(n, inputs, outputs, layout, bias, data):
    w_shape = (outputs, inputs) if layout == "out-in" else (inputs, outputs)
    fields = dict(x=_ints(data.draw, (n, inputs)), w=_ints(data.draw, w_shape), weight_layout=layout,
                  dy=_ints(data.draw, (n, outputs)))
    if bias:
        fields["b"] = _ints(data.draw, (outputs,))
    result, explanation = explained("fc", **fields)
    _check_numeric(result, explanation)
    assert _check_symbolic(result, explained("fc", symbolic=True, **fields)[1]) > 0


@SETTINGS
@given(st.sampled_from(["max", "avg"]), st.integers(2, 5), st.integers(2, 5), st.integers(1, 3),
       st.sampled_from([None, 1, 2]), st.sampled_from([0, 1]), st.booleans(), st.booleans(),
       st.sampled_from(["first", "split", "all"]), st.data())
def test_pool_explanations_sum_to_the_answer(kind, h, w, k, stride, padding, ceil, include, ties, data):
    fields = dict(x=_ints(data.draw, (h, w)), kind=kind, kernel_size=k, padding=padding, ceil_mode=ceil,
                  dy="{random: {seed: 2, low: -3, high: 3, integers: true}}")
    fields |= {"stride": stride} if stride else {}
    fields |= {"count_include_pad": include} if kind == "avg" else {"ties": ties}
    result, explanation = _solve_or_skip("pool", **fields)
    _check_numeric(result, explanation, 1e-12)
    if kind == "avg":
        assert _check_symbolic(result, explained("pool", symbolic=True, **fields | {"dy": result.tensor("dy")})[1],
                               1e-12) > 0


@SETTINGS
@given(st.sampled_from(["relu", "leaky_relu", "sigmoid", "tanh"]), st.data())
def test_act_softmax_and_mse_explanations_agree(kind, data):
    x, dy = _ints(data.draw, (2, 3)), _ints(data.draw, (2, 3))
    result, explanation = explained("act", x=x, kind=kind, dy=dy)
    _check_numeric(result, explanation, 1e-12)
    result, explanation = explained("softmax", z=x, target=[0, 2], reduction=data.draw(st.sampled_from(["sum", "mean"])))
    _check_numeric(result, explanation, 1e-12)
    routes = [s for s in explanation.steps if s.target.name == "dz"]
    assert len(routes) == 2 * x.size and all(s.value == pytest.approx(s.evaluate(), abs=1e-12) for s in routes)
    result, explanation = explained("loss", y=x, target=dy, reduction=data.draw(st.sampled_from(["half_sum", "sum", "mean"])))
    _check_numeric(result, explanation, 1e-12)
