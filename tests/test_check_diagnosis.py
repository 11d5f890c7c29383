"""Diagnosis of wrong answers: each usual mistake, made by hand here (small loops, the seeds'
numbers, the loop references), is named; a right answer, a random wrong one, name none;
an answer two mistakes reproduce names both."""

from pathlib import Path

import numpy as np
import pytest

import reference_conv as ref_conv
import reference_layers as ref_layers
from cnncalc.check.diagnosis import SEVERAL, candidates, diagnose, shifted
from cnncalc.cli.options import OutputOptions
from cnncalc.cli.run import solve_problem
from cnncalc.layers import COMMANDS

EXAMPLES = Path(__file__).parent.parent / "examples"
SEED002_CONV = EXAMPLES / "seed002_conv_bias.yaml"
SEED002_POOL = EXAMPLES / "seed002_maxpool_overlapping.yaml"
SEED003_CONV = EXAMPLES / "seed003_convolution.yaml"
HOMEWORK11 = EXAMPLES / "seed001_homework11.yaml"
TWO_CONV = EXAMPLES / "pipeline_two_conv.yaml"

# seed 002's numbers (examples/seed002_conv_bias.yaml)
I = np.array([[1, 0, 2], [3, 1, 0], [0, 2, 1]], dtype=float)
W = np.array([[1, -1], [2, 0]], dtype=float)
DO = np.array([[1, 2], [-1, 1]], dtype=float)


def solved(command: str, source, tmp_path=None, base: int = 1):
    """The Result of a problem file (a path, or YAML text written to tmp_path)."""
    if not isinstance(source, Path):
        path = tmp_path / "problem.yaml"
        path.write_text(f"command: {command}\n" + source)
        source = path
    return solve_problem(COMMANDS[command], str(source), {}, OutputOptions(index_base=base))


def named(result, name, answer):
    found = diagnose(result, name, np.asarray(answer, dtype=float))
    return None if found is None else found.rule


# --- small loops: each a student's mistake, written out ------------------------------------------

def correlate(x, k, stride=1):
    """valid cross-correlation of 2-D x with 2-D k: out[i,j] = Σ x[i·s+a, j·s+e]·k[a,e]."""
    ho, wo = (x.shape[0] - k.shape[0]) // stride + 1, (x.shape[1] - k.shape[1]) // stride + 1
    out = np.zeros((ho, wo))
    for i in range(ho):
        for j in range(wo):
            for a in range(k.shape[0]):
                for e in range(k.shape[1]):
                    out[i, j] += x[i * stride + a, j * stride + e] * k[a, e]
    return out


def scatter(dy, k, shape, stride=1):
    """dx[i·s+a, j·s+e] += dy[i,j]·k[a,e], cropped/grown to `shape` (windows `stride` apart)."""
    out = np.zeros((shape[0] + k.shape[0] * 2, shape[1] + k.shape[1] * 2))
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            for a in range(k.shape[0]):
                for e in range(k.shape[1]):
                    out[i * stride + a, j * stride + e] += dy[i, j] * k[a, e]
    return out[:shape[0], :shape[1]]


def rot180(a):
    return a[::-1, ::-1]


# --- conv ----------------------------------------------------------------------------------------

def test_seed002_right_answers_name_nothing():
    result = solved("conv", SEED002_CONV)
    expected = {"y": [[8, 1], [3, 6]], "dw": [[-1, 3], [7, 0]], "dx": [[1, 1, -2], [1, 6, -1], [-2, 2, 0]]}
    for name, answer in expected.items():
        assert named(result, name, answer) is None


def test_dx_with_the_kernel_not_rotated_is_named():
    result = solved("conv", SEED002_CONV)
    answer = scatter(DO, rot180(W), I.shape)  # dx = Σ dy·w, but with w rotated: the missing rot180
    found = diagnose(result, "dx", answer)
    assert found.rule == "kernel_not_rotated"
    assert found.message.startswith("Your dL/dI matches the answer with W not rotated 180°")
    assert np.allclose(found.alternative, answer)


def test_y_of_a_cross_correlation_computed_as_a_convolution_is_named():
    result = solved("conv", SEED002_CONV)
    assert named(result, "y", correlate(I, rot180(W)) + 1) == "kernel_rotated"


def test_y_of_a_convolution_computed_as_a_cross_correlation_is_named():
    result = solved("conv", SEED003_CONV)
    x, w = np.array([[1, 2, 0], [0, 1, 3], [2, 1, 0]], float), np.array([[1, 2], [0, -1]], float)
    found = diagnose(result, "y", correlate(x, w))
    assert found.rule == "kernel_not_rotated"
    assert "convolution mode rotates w 180°" in found.message


def test_dw_rotated_in_a_cross_correlation_is_named():
    result = solved("conv", SEED002_CONV)
    assert named(result, "dw", rot180(correlate(I, DO))) == "kernel_rotated"


def test_dw_formed_with_x_rotated_is_named():
    """Seed 001's identity dL/dh = dL/dy ⊗ rot180(x): slide dy over x rotated 180°."""
    result = solved("conv", SEED002_CONV)
    assert named(result, "dw", correlate(rot180(I), DO)) == "dw_x_rotated"


def test_dy_read_transposed_is_named_for_dx_and_dw():
    result = solved("conv", SEED002_CONV)
    assert named(result, "dx", scatter(DO.T, W, I.shape)) == "dy_transposed"
    assert named(result, "dw", correlate(I, DO.T)) == "dy_transposed"


STRIDED = """
x: [[1, 2, 0, 3, 1], [0, 1, 3, 2, 2], [2, 1, 0, 1, 4], [1, 3, 2, 0, 1], [2, 0, 1, 1, 3]]
w: [[1, -1, 2], [0, 3, 1], [2, 1, -2]]
stride: 2
dy: [[1, -2], [3, 2]]
"""


def test_stride_ignored_in_the_backward_pass_is_named(tmp_path):
    result = solved("conv", STRIDED, tmp_path)
    x = np.array(result.inputs["x"], float)
    w, dy = result.inputs["w"], result.inputs["dy"]
    assert np.allclose(result.backward["dx"], scatter(dy, w, x.shape, stride=2))  # the right one, by the loop
    assert named(result, "dx", scatter(dy, w, x.shape, stride=1)) == "stride_ignored"
    assert named(result, "dw", correlate(x[:4, :4], dy)) == "stride_ignored"
    assert all(c.rule != "stride_ignored" for c in candidates(solved("conv", SEED002_CONV), "dx", None))


PADDED = """
x: [[1, 2, 0, 3], [0, 1, 3, 2], [2, 1, 0, 1], [1, 3, 2, 0]]
w: [[1, -1], [2, 3]]
padding: same
dy: [[1, -2, 0, 1], [3, 2, 1, -1], [0, 1, 2, 1], [1, 1, -3, 2]]
"""


def test_same_padding_on_the_wrong_side_is_named(tmp_path):
    result = solved("conv", PADDED, tmp_path)  # an even kernel: 'same' pads only the bottom and right
    x, w = result.inputs["x"], result.inputs["w"]
    top_left = np.zeros((5, 5))
    top_left[1:, 1:] = x
    assert np.allclose(result.forward["y"], correlate(np.pad(x, ((0, 1), (0, 1))), w))
    found = diagnose(result, "y", correlate(top_left, w))
    assert found.rule == "padding_mirrored"
    assert "pads 0 row(s) at the top, 1 at the bottom" in found.message


def test_padding_dropped_is_named_where_the_windows_keep_their_number(tmp_path):
    source = "x: [[1, 2, 0, 3, 1], [0, 1, 3, 2, 2], [2, 1, 0, 1, 4], [1, 3, 2, 0, 1], [2, 0, 1, 1, 3]]\n" \
             "w: [[1, -1], [2, 3]]\nstride: 3\npadding: [[1, 0], [1, 0]]\n"
    result = solved("conv", source, tmp_path)
    answer = correlate(result.inputs["x"], result.inputs["w"], stride=3)  # no padding: windows at 0 and 3
    found = diagnose(result, "y", answer)
    assert found.rule == SEVERAL  # padding at the end is never reached, so it is the same as none
    assert set(found.rules) == {"padding_mirrored", "padding_missing"}
    assert "padding on the other side; without the padding" in found.message


def test_an_answer_two_mistakes_reproduce_names_both():
    """dx[2,2] (1-based) alone: −3 both with W not rotated and with dy transposed (right: 6)."""
    result = solved("conv", SEED002_CONV)
    not_rotated, transposed = scatter(DO, rot180(W), I.shape), scatter(DO.T, W, I.shape)
    assert not_rotated[1, 1] == transposed[1, 1] == -3
    answer = np.full((3, 3), np.nan)
    answer[1, 1] = -3
    found = diagnose(result, "dx", answer)
    assert found.rule == SEVERAL
    assert found.rules == ("kernel_not_rotated", "dy_transposed")
    assert "2 different mistakes" in found.message and "dL/dO read transposed" in found.message


# --- pooling -------------------------------------------------------------------------------------

def test_seed002_overlapping_windows_overwritten_is_named():
    """The max 8 of two windows: 4 (the last window's dy) instead of 2 + 4 = 6."""
    result = solved("pool", SEED002_POOL)
    x, dy = result.inputs["x"], result.inputs["dy"]
    answer = np.zeros((3, 3))
    for i in range(2):
        for j in range(2):
            window = x[i:i + 2, j:j + 2]
            a, e = np.unravel_index(np.argmax(window), (2, 2))
            answer[i + a, j + e] = dy[i, j]  # assigned, not added
    assert answer[1, 2] == 4
    found = diagnose(result, "dx", answer)
    assert found.rule == "overlap_overwritten"
    assert named(result, "dx", [[0, 1, 0], [0, 0, 6], [3, 0, 0]]) is None


def test_overwritten_computes_only_the_entries_given():
    result = solved("pool", SEED002_POOL)
    answer = np.full((3, 3), np.nan)
    answer[1, 2] = 4
    found = diagnose(result, "dx", answer)
    assert found.rule == "overlap_overwritten"
    assert np.isnan(found.alternative).sum() == 8


TIED = """
kind: max
kernel_size: 2
stride: 1
x: [[1, 5, 5], [3, 5, 2], [6, 6, 0]]
dy: [[1, 2], [3, 4]]
"""


@pytest.mark.parametrize("ties", ["split", "all"])
def test_another_tie_rule_is_named(tmp_path, ties):
    result = solved("pool", TIED, tmp_path)
    x4, dy4 = result.inputs["x"].reshape(1, 1, 3, 3), result.inputs["dy"].reshape(1, 1, 2, 2)
    answer = ref_layers.max_pool_backward(dy4, x4, (2, 2), (1, 1), (0, 0), (1, 1), False, ties)[0, 0]
    found = diagnose(result, "dx", answer)
    assert found.rule == f"ties_{ties}"
    assert "this problem's rule is ties: first" in found.message


AVERAGED = """
kind: avg
kernel_size: 3
stride: 2
padding: 1
x: [[1, 2, 0, 3], [0, 1, 3, 2], [2, 1, 0, 1], [1, 3, 2, 0]]
dy: [[1, -2], [3, 2]]
"""


def test_padded_cells_left_out_of_an_average_are_named(tmp_path):
    result = solved("pool", AVERAGED, tmp_path)
    x4, dy4 = result.inputs["x"].reshape(1, 1, 4, 4), result.inputs["dy"].reshape(1, 1, 2, 2)
    y = ref_layers.avg_pool(x4, (3, 3), (2, 2), (1, 1), False, False)[0, 0]
    dx = ref_layers.avg_pool_backward(dy4, x4.shape, (3, 3), (2, 2), (1, 1), False, False)[0, 0]
    assert named(result, "y", y) == "padding_not_counted"
    assert named(result, "dx", dx) == "padding_not_counted"


def test_padded_cells_counted_in_an_average_are_named(tmp_path):
    result = solved("pool", AVERAGED + "count_include_pad: false\n", tmp_path)
    x4 = result.inputs["x"].reshape(1, 1, 4, 4)
    assert named(result, "y", ref_layers.avg_pool(x4, (3, 3), (2, 2), (1, 1), False, True)[0, 0]) == "padding_counted"


def test_pool_stride_ignored_in_the_backward_pass_is_named(tmp_path):
    source = "kind: avg\nkernel_size: 2\nstride: 2\nx: [[1, 2, 0, 3], [0, 1, 3, 2], [2, 1, 0, 1], [1, 3, 2, 0]]\n" \
             "dy: [[4, -8], [12, 8]]\n"
    result = solved("pool", source, tmp_path)
    answer = scatter(result.inputs["dy"] / 4, np.ones((2, 2)), (4, 4), stride=1)
    assert named(result, "dx", answer) == "stride_ignored"


# --- fc, activations, softmax, loss ----------------------------------------------------------------

def test_a_weight_read_in_the_other_layout_is_named(tmp_path):
    result = solved("fc", "x: [1, 2]\nw: [[1, 2], [3, 4]]\nb: [1, -1]\ndy: [1, 3]\n", tmp_path)
    assert np.allclose(result.forward["y"], [1 + 1 * 1 + 2 * 2, -1 + 3 * 1 + 4 * 2])  # out-in: y_o = Σ_i w[o,i]·x_i
    assert named(result, "y", [1 + 1 * 1 + 3 * 2, -1 + 2 * 1 + 4 * 2]) == "weight_layout"  # y_o = Σ_i w[i,o]·x_i
    assert np.allclose(result.backward["dx"], [1 * 1 + 3 * 3, 2 * 1 + 4 * 3])  # dx_i = Σ_o w[o,i]·dy_o
    assert named(result, "dx", [1 * 1 + 2 * 3, 3 * 1 + 4 * 3]) == "weight_layout"  # dx_i = Σ_o w[i,o]·dy_o
    assert named(result, "dw", [[1 * 1, 3 * 1], [1 * 2, 3 * 2]]) == "weight_layout"  # dw[i,o] = x_i·dy_o
    assert candidates(solved("fc", "x: [1, 2]\nw: [[1, 2]]\ndy: [1]\n", tmp_path), "y", None)[0].rule == "index_base"


KINK = "kind: relu\nx: [[-1, 0], [2, 0]]\ndy: [[3, 4], [5, 6]]\n"


@pytest.mark.parametrize("slope, rule", [(1.0, "relu_slope_one_at_zero"), (0.5, "relu_slope_half_at_zero")])
def test_relu_slope_at_zero_taken_as_one_or_a_half_is_named(tmp_path, slope, rule):
    result = solved("act", KINK, tmp_path)
    x, dy = result.inputs["x"], result.inputs["dy"]
    answer = [[dy[i, j] * (1.0 if x[i, j] > 0 else slope if x[i, j] == 0 else 0.0) for j in range(2)]
              for i in range(2)]
    found = diagnose(result, "dx", answer)
    assert found.rule == rule
    assert "takes 0 there" in found.message


def test_activation_dy_transposed_is_named(tmp_path):
    result = solved("act", "kind: relu\nx: [[1, -1], [2, 3]]\ndy: [[3, 4], [5, 6]]\n", tmp_path)
    assert named(result, "dx", [[3, 0], [4, 6]]) == "dy_transposed"


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


BATCH = "z: [[1, 2, 0.5], [0, -1, 3]]\ntarget: [1, 2]\n"


def test_the_missing_one_over_n_of_a_mean_is_named(tmp_path):
    result = solved("softmax", BATCH + "reduction: mean\n", tmp_path)
    z = np.array([[1, 2, 0.5], [0, -1, 3]])
    t = np.eye(3)[[1, 2]]
    p = softmax_rows(z)
    assert named(result, "dz", p - t) == "mean_missing"
    assert named(result, "L", -np.log(p[0, 1]) - np.log(p[1, 2])) == "mean_missing"
    assert named(result, "dz", (p - t) / 2) is None


def test_an_extra_one_over_n_is_named(tmp_path):
    result = solved("softmax", BATCH + "reduction: sum\n", tmp_path)
    p = softmax_rows(np.array([[1, 2, 0.5], [0, -1, 3]]))
    assert named(result, "L", (-np.log(p[0, 1]) - np.log(p[1, 2])) / 2) == "mean_extra"


def test_log10_instead_of_ln_is_named(tmp_path):
    result = solved("softmax", "z: [0, 0, 0, 0, 0]\ntarget: 2\n", tmp_path)  # homework 11: p = 0.2 each
    found = diagnose(result, "L", np.log10(5))
    assert found.rule == "log10"
    assert named(result, "L", 1.6094379124341003) is None


def test_softmax_jacobian_diagonal_instead_of_p_minus_t_is_named(tmp_path):
    result = solved("softmax", "z: [1, 2, 0.5]\ntarget: 1\n", tmp_path)
    p = softmax_rows(np.array([[1, 2, 0.5]]))[0]
    t = np.array([0, 1, 0])
    dp = np.array([0, -1 / p[1], 0])  # dL/dp = −t/p
    assert named(result, "dz", dp * p * (1 - p)) == "softmax_jacobian_diagonal"
    assert named(result, "dz", p * (1 - p)) == "softmax_s_one_minus_s"
    assert named(result, "dz", p - t) is None


MSE = "y: [0.5, 2, -1]\ntarget: [1, 1, 1]\n"


def test_the_half_of_the_textbook_mse_dropped_or_added_is_named(tmp_path):
    diff = np.array([0.5, 2, -1]) - 1
    half = solved("loss", MSE, tmp_path)  # default reduction: half_sum
    assert named(half, "dy", 2 * diff) == "mse_half_dropped"
    assert named(half, "L", (diff ** 2).sum()) == "mse_half_dropped"
    summed = solved("loss", MSE + "reduction: sum\n", tmp_path)
    assert named(summed, "dy", diff) == "mse_half_added"


def test_mse_mean_against_sum_is_named(tmp_path):
    diff = np.array([0.5, 2, -1]) - 1
    mean = solved("loss", MSE + "reduction: mean\n", tmp_path)
    assert named(mean, "L", (diff ** 2).sum()) == "mean_missing"
    assert named(mean, "dy", diff) == "mse_half_sum_for_mean"
    summed = solved("loss", MSE + "reduction: sum\n", tmp_path)
    assert named(summed, "dy", 2 * diff / 3) == "mean_extra"


# --- index base ----------------------------------------------------------------------------------

def test_entries_labelled_in_the_other_index_base_are_named():
    """A 1-based file, a student counting from 0: their "1,1" (0-based (1,1), dx = 6) lands on (0,0)."""
    result = solved("conv", SEED002_CONV)
    answer = np.full((3, 3), np.nan)
    answer[0, 0], answer[0, 1] = 6, -1
    found = diagnose(result, "dx", answer)
    assert found.rule == "index_base"
    assert "labelled from 0 instead of 1" in found.message


def test_index_base_reaches_pipeline_tensors():
    result = solved("pipeline", HOMEWORK11)
    answer = np.full((5, 8), np.nan)
    answer[1, 3] = -78.4  # dL/dW row 3, column 5 (1-based) written as "2,4", counting from 0
    assert named(result, "dL/dfc_1.weight", answer) == "index_base"


def test_shifted_moves_every_long_axis_and_leaves_unit_axes():
    right = np.arange(6.0).reshape(1, 2, 3)
    assert np.array_equal(shifted(right, 1), [[[4, 5, np.nan], [np.nan] * 3]], equal_nan=True)
    assert np.array_equal(shifted(right, -1), [[[np.nan] * 3, [np.nan, 0, 1]]], equal_nan=True)


# --- never a guess ---------------------------------------------------------------------------------

RIGHT_AND_RANDOM = [("conv", SEED002_CONV, ["y", "dx", "dw", "db"]), ("pool", SEED002_POOL, ["y", "dx"]),
                    ("conv", SEED003_CONV, ["y", "dx", "dw"]),
                    ("pipeline", HOMEWORK11, ["L", "conv_1", "dL/dfc_1", "dL/dfc_1.weight"]),
                    ("pipeline", TWO_CONV, ["conv_1", "dL/dinput", "dL/drelu_1", "dL/dconv_1.weight", "L",
                                            "dL/dfc_1"])]


@pytest.mark.parametrize("command, path, names", RIGHT_AND_RANDOM)
def test_right_and_random_answers_name_nothing(command, path, names):
    result = solved(command, path)
    rng = np.random.default_rng(7)
    for name in names:
        right = np.asarray(result.tensor(name), dtype=float)
        assert diagnose(result, name, right) is None
        assert diagnose(result, name, right + 1e-13) is None
        assert diagnose(result, name, rng.normal(size=right.shape) * 10) is None


@pytest.mark.parametrize("command, source, names", [
    ("fc", "x: [1, 2]\nw: [[1, 2], [3, 4]]\nb: [1, -1]\ndy: [1, 2]\n", ["y", "dx", "dw"]),
    ("act", KINK, ["dx"]), ("softmax", BATCH + "reduction: mean\n", ["L", "dp", "dz"]),
    ("loss", MSE, ["L", "dy"]), ("pool", AVERAGED, ["y", "dx"]), ("conv", STRIDED, ["dx", "dw"]),
    ("conv", PADDED, ["y", "dx", "dw"]), ("pool", TIED, ["dx"])])
def test_right_and_random_answers_name_nothing_for_each_command(tmp_path, command, source, names):
    result = solved(command, source, tmp_path)
    rng = np.random.default_rng(11)
    for name in names:
        right = np.asarray(result.tensor(name), dtype=float)
        assert diagnose(result, name, right) is None
        assert diagnose(result, name, rng.normal(size=right.shape) * 10 + 0.123) is None


def test_a_tolerance_is_the_callers():
    """The matcher in force decides: 6.1 for dL/dI_23 matches nothing at float precision,
    'overwritten' (4) when two units either side count as agreement."""
    result = solved("pool", SEED002_POOL)
    answer = np.array([[0, 1, 0], [0, 0, 4.1], [3, 0, 0]])
    assert diagnose(result, "dx", answer) is None
    loose = diagnose(result, "dx", answer, lambda candidate: np.abs(candidate - answer) <= 0.2)
    assert loose.rule == "overlap_overwritten"


def test_an_answer_of_another_shape_or_empty_names_nothing():
    result = solved("conv", SEED002_CONV)
    assert diagnose(result, "dx", np.zeros((2, 2))) is None
    assert diagnose(result, "dx", np.full((3, 3), np.nan)) is None


# --- inside a pipeline: one layer, or the loss, done wrong ---------------------------------------


def test_homework11_conv_1_with_the_kernel_rotated_is_named():
    result = solved("pipeline", HOMEWORK11)
    f, h = result.inputs["input"], result.inputs["conv_1.weight"]
    answer = np.array([sum(correlate(f[c], rot180(h[o, c])) for c in range(2)) for o in range(2)])
    found = diagnose(result, "conv_1", answer)
    assert found.rule == "kernel_rotated"
    assert found.message.startswith("Your conv_1 matches the answer with h rotated 180°")


def test_homework11_loss_mistakes_are_named():
    result = solved("pipeline", HOMEWORK11)
    p, t = np.full(5, 0.2), np.eye(5)[2]
    assert named(result, "L", np.log10(5)) == "log10"
    assert named(result, "L", 1.6094379124341003) is None
    assert named(result, "dL/dfc_1", p * (1 - p)) == "softmax_s_one_minus_s"
    assert named(result, "dL/dfc_1", -t / p * p * (1 - p)) == "softmax_jacobian_diagonal"
    assert named(result, "dL/dfc_1", p - t) is None


def test_a_pipeline_conv_layers_dx_with_the_kernel_not_rotated_is_named():
    result = solved("pipeline", TWO_CONV)
    x = result.tensor("relu_1").reshape(1, 2, 3, 3)
    w = result.inputs["conv_2.weight"]
    dy = result.tensor("dL/dconv_2").reshape(1, 1, 3, 3)
    pads = ((0, 1), (0, 1))  # 'same' with a 2×2 kernel
    right = ref_conv.conv2d_grads(dy, x, w, None, (1, 1), pads, (1, 1), 1, "correlation")[0]
    assert np.allclose(right.reshape(2, 3, 3), result.tensor("dL/drelu_1"))
    answer = ref_conv.conv2d_grads(dy, x, w, None, (1, 1), pads, (1, 1), 1, "convolution")[0]
    found = diagnose(result, "dL/drelu_1", answer.reshape(2, 3, 3))
    assert found.rule == "kernel_not_rotated"
    assert "dL/drelu_1 is the full convolution of dL/dconv_2" in found.message


def test_a_pipeline_mse_without_its_half_is_named():
    result = solved("pipeline", TWO_CONV)
    diff = result.tensor("fc_1") - result.tensor("target")
    assert named(result, "L", (diff ** 2).sum()) == "mse_half_dropped"
    assert named(result, "dL/dfc_1", 2 * diff) == "mse_half_dropped"
