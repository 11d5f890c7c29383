"""Review fixes on the solve side: each test fails on the code before its fix."""

from cli_helpers import cnncalc


def _entry_step(*args: str) -> dict:
    run = cnncalc("conv", *args, "--json")
    assert run.code == 0, run.err
    [step] = run.json()["explanation"]["steps"]
    return step


def test_entry_of_a_window_reading_only_padding_is_zero_and_draws_its_input_channel():
    # 1x1 input, two 1x1 filters, padding 1: y[2,1,1] (1-based) reads only the padded corner.
    step = _entry_step("-x", "[[5]]", "-w", "[[[[1]]],[[[2]]]]", "--padding", "1", "--entry", "y[2,1,1]")
    assert step["target"] == {"name": "y", "index": [1, 0, 0]}
    assert step["terms"] == [] and step["value"] == 0
    [grid] = step["grids"]
    assert grid["cells"] == [[0, 0, 0], [0, 5, 0], [0, 0, 0]]
    assert grid["marks"][0][0] == "pad+mark"


def test_grouped_padding_only_window_draws_the_channels_of_its_group():
    # x has 2 channels, groups 2, 4 filters: filters 3 and 4 (1-based) read channel 2 only.
    step = _entry_step("-x", "[[[1]],[[7]]]", "-w", "[[[[1]]],[[[2]]],[[[3]]],[[[4]]]]", "--groups", "2",
                       "--padding", "1", "--entry", "y[4,1,1]")
    assert step["value"] == 0
    assert [grid["index"] for grid in step["grids"]] == [[1]]
    assert step["grids"][0]["cells"][1][1] == 7


def test_grouped_padding_only_window_draws_every_channel_of_its_group():
    # x has 4 channels (values 1..4), groups 2, 2 filters of 2 channels: filter 2 reads channels 3 and 4.
    step = _entry_step("-x", "[[[1]],[[2]],[[3]],[[4]]]", "-w", "[[[[1]],[[1]]],[[[1]],[[1]]]]",
                       "--groups", "2", "--padding", "1", "--entry", "y[2,3,3]")
    assert step["value"] == 0
    assert [grid["index"] for grid in step["grids"]] == [[2], [3]]
    assert [grid["cells"][1][1] for grid in step["grids"]] == [3, 4]


NET = """input: {fill: 1, shape: [1, 3, 5, 5]}
layers:
  - type: conv
    weight: {fill: 1, shape: %s}
    groups: %d
  - flatten
loss: mse
target: {fill: 0}
"""

GROUPS_MESSAGE = "groups: expected a divisor of both the input channels (3) and filters (4), found 2"
WEIGHT_MESSAGE = "expected 3 input channel(s) per filter (the input has 3, groups 1), found 2 (the kernel is 4×2×3×3)"


def _error(*args: str, stdin: str | None = None) -> str:
    run = cnncalc(*args, stdin=stdin)
    assert run.code == 2, (run.out, run.err)
    return run.err.strip()


def test_conv_and_pipeline_refuse_groups_that_do_not_divide_the_channels_in_the_same_words():
    conv = _error("conv", "-x", "{fill: 1, shape: [1, 3, 5, 5]}", "-w", "{fill: 1, shape: [4, 1, 3, 3]}",
                  "--groups", "2")
    pipeline = _error("pipeline", "-", stdin=NET % ("[4, 1, 3, 3]", 2))
    assert conv == f"cnncalc: error: {GROUPS_MESSAGE}"
    assert pipeline.endswith(f"layers[0] (conv_1).{GROUPS_MESSAGE}")


def test_conv_and_pipeline_refuse_a_kernel_of_the_wrong_channel_count_in_the_same_words():
    conv = _error("conv", "-x", "{fill: 1, shape: [1, 3, 5, 5]}", "-w", "{fill: 1, shape: [4, 2, 3, 3]}")
    pipeline = _error("pipeline", "-", stdin=NET % ("[4, 2, 3, 3]", 1))
    assert conv == f"cnncalc: error: w: {WEIGHT_MESSAGE}"
    assert pipeline.endswith(f"layers[0] (conv_1).weight: {WEIGHT_MESSAGE}")


def test_cnncalc_pool_hands_its_forward_to_the_max_pool_backward(monkeypatch):
    import importlib

    core_pool = importlib.import_module("cnncalc.core.pool")
    importlib.import_module("cnncalc.solve.pool")  # its own forward call bound before the count starts
    searches = []
    real_forward = core_pool.maxpool2d_forward
    monkeypatch.setattr(core_pool, "maxpool2d_forward", lambda *a, **k: searches.append(1) or real_forward(*a, **k))
    run = cnncalc("pool", "-x", "[[1, 5, 2], [4, 3, 0], [7, 1, 6]]", "--kind", "max", "--kernel-size", "2",
                  "--stride", "1", "--dy", "[[1, 2], [3, 4]]", "--json")
    assert run.code == 0, run.err
    # maxima 5, 5 / 7, 6: dx by hand (x[0,1] gets 1 + 2, x[2,0] gets 3, x[2,2] gets 4)
    assert run.json()["backward"]["dx"]["data"] == [[0, 3, 0], [0, 0, 0], [3, 0, 4]]
    assert searches == []  # the backward did not look for the maxima again


def test_leaky_relu_default_slope_is_one_value_shared_by_the_act_command_and_the_pipeline():
    import importlib

    assert importlib.import_module("cnncalc.vocabulary").LEAKY_SLOPE == 0.01  # PyTorch's negative_slope
    act = cnncalc("act", "--kind", "leaky_relu", "-x", "[-2, 3]", "--dy", "[1, 1]", "--json")
    assert act.code == 0, act.err
    assert act.json()["forward"]["y"]["data"] == [-0.02, 3]
    assert act.json()["backward"]["dx"]["data"] == [0.01, 1]
    # ½·((−0.02)² + 3²) = 4.5002; dL/dinput[1] = −0.02 · 0.01, explained through the act command
    net = "input: [-2, 3]\nlayers: [leaky_relu]\nloss: mse\ntarget: [0, 0]\n"
    run = cnncalc("pipeline", "-", "--json", "--entry", "dL/dinput[1]", stdin=net)
    assert run.code == 0, run.err
    assert run.json()["forward"]["L"]["data"] == 4.5002
    [step] = run.json()["explanation"]["steps"]
    assert [factor["value"] for factor in step["terms"][0]["factors"]] == [-0.02, 0.01]
    assert abs(step["value"] - -0.0002) < 1e-15


def test_core_conv_refuses_a_misspelt_mode_instead_of_computing_correlation():
    import numpy as np
    import pytest

    from cnncalc.core.conv import conv2d_backward, conv2d_forward
    from cnncalc.core.geometry import window_geometry
    from cnncalc.errors import CnnError

    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, 0.0]]]])
    geom = window_geometry((3, 3), (2, 2))
    # by hand: convolution rotates w, so each y[i,j] is the window's last cell x[i+1,j+1]
    assert conv2d_forward(x, w, None, geom, mode="convolution").ravel().tolist() == [4, 5, 7, 8]
    calls = (lambda mode: conv2d_forward(x, w, None, geom, mode=mode),
             lambda mode: conv2d_backward(np.ones((1, 1, 2, 2)), x, w, geom, mode=mode))
    for call in calls:
        with pytest.raises(CnnError) as caught:
            call("convolutoin")
        assert caught.value.field == "mode"
        assert "did you mean 'convolution'?" in caught.value.hint


def test_cross_entropy_p_log_p_and_dp_on_demand_by_hand():
    import math

    import numpy as np

    from cnncalc.core.softmax import cross_entropy

    # z = (0, ln 3): e^z = (1, 3), p = (1/4, 3/4); class 1: L = −ln(3/4), dL/dp = (0, −4/3), dL/dz = (1/4, −1/4)
    result = cross_entropy(np.array([[0.0, math.log(3.0)]]), np.array([[0.0, 1.0]]), "sum")
    assert math.isclose(result.loss, math.log(4 / 3), rel_tol=1e-15)
    assert np.allclose(result.dz, [[0.25, -0.25]], rtol=0, atol=1e-15)
    assert np.allclose(result.p, [[0.25, 0.75]], rtol=0, atol=1e-15)
    assert np.allclose(result.log_p, [[-math.log(4), math.log(0.75)]], rtol=0, atol=1e-15)
    assert result.dp[0, 0] == 0 and math.isclose(result.dp[0, 1], -4 / 3, rel_tol=1e-15)


RULES_NET = """input: [[[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 1], [1, 1, 0, 2]]]
layers:
  - type: conv
    weight: [[[[1, 0], [0, -1]]], [[[0, 1], [1, 0]]]]
    bias: [0, 1]
    padding: 1
  - type: maxpool
    kernel_size: 2
  - flatten
loss: mse
target: {fill: 0}
"""


def _layer_rules(name: str) -> list[dict]:
    run = cnncalc("pipeline", "-", "--json", stdin=RULES_NET)
    assert run.code == 0, run.err
    [layer] = [rule for rule in run.json()["rules"] if rule.get("name") == name]
    return layer["rules"]


def test_a_pipeline_conv_layer_states_the_same_rules_as_cnncalc_conv():
    conv = cnncalc("conv", "-x", "[[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 1], [1, 1, 0, 2]]",
                   "-w", "[[[[1, 0], [0, -1]]], [[[0, 1], [1, 0]]]]", "-b", "[0, 1]", "--padding", "1", "--json")
    assert conv.code == 0, conv.err
    in_pipeline = _layer_rules("conv_1")
    assert [rule["id"] for rule in in_pipeline] == ["conv.mode", "conv.sum", "windows"]
    assert in_pipeline[1] == {"id": "conv.sum", "mode": "correlation", "stride": [1, 1], "dilation": [1, 1],
                              "groups": 1, "bias": True}
    assert in_pipeline == conv.json()["rules"]


def test_a_pipeline_maxpool_layer_states_the_same_rules_as_cnncalc_pool():
    # conv_1's output is 2×5×5 (4×4 input, 2×2 kernel, padding 1): the same pooling on that shape
    pool = cnncalc("pool", "-x", "{fill: 1, shape: [2, 5, 5]}", "--kind", "max", "--kernel-size", "2", "--json")
    assert pool.code == 0, pool.err
    in_pipeline = _layer_rules("pool_1")
    assert [rule["id"] for rule in in_pipeline] == ["windows", "pool.max", "pool.ties"]
    assert in_pipeline == pool.json()["rules"]
