"""Random small pipelines: every gradient in the pipeline's JSON result against central finite
differences of L, computed by re-running the network with one number moved. The solver is
called directly (the CLI path is covered by the goldens); its result goes through the same
JSON renderer as `cnncalc pipeline --json`."""

import copy
import json

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnncalc.core.network import run_network
from cnncalc.errors import CnnError
from cnncalc.inputs.problem import Problem
from cnncalc.vocabulary import DEFAULT_MAX_ELEMENTS
from cnncalc.render.jsonout import render_json
from cnncalc.solve.pipeline import read, solve
from finite_diff import numeric_gradient

PROPERTY = settings(max_examples=25, deadline=None)
FD_TOL = dict(rtol=1e-5, atol=1e-7)


@st.composite
def pipelines(draw):
    """conv → activation → [pool] → [flatten] → fc → [softmax] → cross-entropy or mse, as a problem.

    Hypothesis draws the structure; the numbers come from a seeded generator, continuous,
    so no ReLU input sits at 0 and no max-pool window holds a near tie."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["hw", "chw", "batched"]))
    n = draw(st.integers(2, 3)) if kind == "batched" else 1
    c = 1 if kind == "hw" else draw(st.integers(1, 3))
    groups = draw(st.sampled_from([g for g in (1, 2, 3) if c % g == 0]))
    out = groups * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = draw(st.sampled_from([1, 2]))
    hw = tuple(draw(st.integers(low, low + 2)) for low in (max(3, dilation * (ki - 1) + 1) for ki in k))
    shape = {"hw": hw, "chw": (c,) + hw, "batched": (n, c) + hw}[kind]
    conv = {"type": "conv", "weight": rng.uniform(-1, 1, (out, c // groups) + k).tolist(),
            "stride": draw(st.sampled_from([1, 2, [2, 1]])),
            "padding": draw(st.sampled_from([0, 1, [1, 0], "same", "valid", "full", [[0, 1], [1, 0]]])),
            "dilation": dilation, "groups": groups,
            "mode": draw(st.sampled_from(["correlation", "convolution"]))}
    if draw(st.booleans()):
        conv["bias"] = rng.uniform(-1, 1, out).tolist()
    act = draw(st.sampled_from(["relu", "leaky_relu", "sigmoid", "tanh"]))
    layers = [conv, {"type": act, "slope": 0.2} if act == "leaky_relu" else act]
    if draw(st.booleans()):
        pool = draw(st.sampled_from(["maxpool", "avgpool"]))
        kernel = draw(st.sampled_from([2, [2, 1]]))
        layers.append({"type": pool, "kernel_size": kernel, "stride": draw(st.sampled_from([1, 2])),
                       "padding": draw(st.sampled_from([0, 1 if kernel == 2 else [1, 0]])),
                       "ceil_mode": draw(st.booleans())}
                      | ({"count_include_pad": draw(st.booleans())} if pool == "avgpool" else {}))
    if draw(st.booleans()):
        layers.append("flatten")
    classes = draw(st.integers(2, 4))
    fc = {"type": "fc", "out": classes, "weight_layout": draw(st.sampled_from(["out-in", "in-out"])),
          "weight": {"random": {"seed": int(rng.integers(2**31)), "low": -0.5, "high": 0.5}}}
    if draw(st.booleans()):
        fc["bias"] = rng.uniform(-1, 1, classes).tolist()
    layers.append(fc)
    if draw(st.booleans()):
        layers.append("softmax")  # before cross-entropy dL/dz = p − t; before mse the Jacobian product
    rows = n if kind == "batched" else None
    if draw(st.sampled_from(["cross_entropy", "mse"])) == "mse":
        target = rng.uniform(-1, 1, (classes,) if rows is None else (rows, classes)).tolist()
        loss_entry = {"type": "mse", "reduction": draw(st.sampled_from(["half_sum", "sum", "mean"]))}
    else:
        target = _class_target(draw(st.sampled_from(["index", "onehot", "soft"])), rng, rows, classes)
        loss_entry = {"type": "cross_entropy", "reduction": draw(st.sampled_from(["sum", "mean"]))}
    return {"input": rng.uniform(-2, 2, shape).tolist(), "layers": layers, "loss": loss_entry, "target": target}


def _class_target(kind, rng, rows, classes):
    """Class indices, one-hot rows or soft rows; a bare index or one row when unbatched."""
    index = rng.integers(0, classes, size=rows or 1)
    soft = rng.dirichlet(np.ones(classes), size=rows or 1)
    t = {"index": index, "onehot": np.eye(classes)[index], "soft": soft}[kind]
    return (t if rows else t[0]).tolist()


def _read(problem):
    try:
        return read(Problem(copy.deepcopy(problem)))
    except CnnError:
        assume(False)  # a layer with no window for this input size: draw another


@PROPERTY
@given(pipelines())
def test_every_gradient_matches_finite_differences(problem):
    p = _read(problem)
    result = json.loads(render_json(solve(p, DEFAULT_MAX_ELEMENTS)))
    layers = [step.layer for step in p.layers]

    def loss_with(x):
        return run_network(layers, x, p.loss, p.target).loss

    dinput = result["backward"]["dL/dinput"]
    assert tuple(dinput["shape"]) == np.shape(problem["input"])
    expected = numeric_gradient(loss_with, p.batched_input)
    np.testing.assert_allclose(np.array(dinput["data"]), expected.reshape(dinput["shape"]), **FD_TOL)

    for step in p.layers:
        for key in step.param_shapes:
            value = getattr(step.layer, key)

            def loss_with_param(v, layer=step.layer, key=key):
                setattr(layer, key, v)
                return run_network(layers, p.batched_input, p.loss, p.target).loss

            expected = numeric_gradient(loss_with_param, value.copy())
            setattr(step.layer, key, value)
            grad = result["backward"][f"dL/d{step.name}.{key}"]
            assert grad["shape"] == list(step.param_shapes[key])  # as the weight was written
            np.testing.assert_allclose(np.array(grad["data"]), expected.reshape(grad["shape"]), **FD_TOL,
                                       err_msg=f"dL/d{step.name}.{key}")
    parameter_grads = {name for name in result["backward"] if "." in name}
    assert parameter_grads == {f"dL/d{step.name}.{key}" for step in p.layers for key in step.param_shapes}
