"""Σ|terms| of every tensor of a network pass: the scale its rounding residue is judged against."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cli_helpers import cnncalc, example
from cnncalc.core.magnitudes import network_magnitudes
from cnncalc.core.network import Activation, Fc, Flatten, Loss, run_network


def test_a_cancelled_sum_has_the_magnitude_of_its_terms():
    # dL/dx = Wᵀ·g with W all 0.1 and g = (0.2, 0.2, -0.8, 0.2, 0.2): 0 exactly, its terms 0.16 in all
    layers = [Fc(np.full((5, 2), 0.1), None)]
    x, t = np.array([[1.0, 2.0]]), np.array([[0.5, 0.5, 1.1, 0.5, 0.5]])
    done = run_network(layers, x, Loss("mse", "half_sum"), t)
    sizes = network_magnitudes(layers, x, Loss("mse", "half_sum"), t, done)
    g = np.abs(done.output_grads[0])                            # |y − t|: (|y| + |t|) bounds it
    assert np.allclose(sizes.output_grads[0], np.abs(done.outputs[0]) + np.abs(t))
    assert np.allclose(sizes.input_grad, 0.1 * sizes.output_grads[0].sum())  # |W|ᵀ·(|y| + |t|) by hand
    assert np.all(sizes.input_grad >= np.abs(done.input_grad)) and g.sum() > 0


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["relu", "sigmoid", "tanh", "leaky_relu"]))
def test_every_magnitude_bounds_its_value(seed, kind):
    rng = np.random.default_rng(seed)
    layers = [Fc(rng.normal(size=(4, 3)), rng.normal(size=4)), Activation(kind), Flatten(),
              Fc(rng.normal(size=(2, 4)), None)]
    x, t = rng.normal(size=(2, 3)), rng.normal(size=(2, 2))
    done = run_network(layers, x, Loss("mse", "mean"), t)
    sizes = network_magnitudes(layers, x, Loss("mse", "mean"), t, done)
    pairs = list(zip(done.outputs, sizes.outputs)) + list(zip(done.output_grads, sizes.output_grads))
    pairs += [(done.input_grad, sizes.input_grad)]
    pairs += [(g, sizes.param_grads[k][key]) for k, grads in enumerate(done.param_grads) for key, g in grads.items()]
    for value, size in pairs:
        assert np.all(size >= np.abs(value) * (1 - 1e-12))


def test_the_homeworks_exact_zeros_print_as_residue_and_keep_their_floats():
    table = cnncalc("pipeline", example("seed001_homework11.yaml"))
    row = next(line for line in table.out.splitlines() if line.startswith("dL/dflatten_1 │"))
    assert row.split("│")[1].split() == ["≈0"] * 8        # seed 001: dL/dflatten = Wᵀ·dL/dfc = 0
    data = cnncalc("pipeline", example("seed001_homework11.yaml"), "--json").json()["backward"]["dL/dflatten_1"]
    assert 0 < abs(data["data"][0]) < 1e-16                  # JSON keeps the float as computed


def test_a_saturated_sigmoids_small_gradient_keeps_its_digits(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("command: pipeline\ninput: [33]\nlayers:\n  - {type: fc, weight: [[1]]}\n  - sigmoid\n"
                    "loss: {type: mse, reduction: half_sum}\ntarget: [0]\n")
    run = cnncalc("pipeline", str(path))
    lines = run.out.splitlines()
    row = lines[lines.index("dL/dfc_1  (1)") + 3]
    shown = float(row.split("│")[1])
    # σ'(33)·(σ(33) − 0) = e^-33/(1 + e^-33)² · σ(33) ≈ 4.659e-15, far below 64 ulps of 1 yet a real value
    # (float64 forms 1 − σ(33) from σ(33) ≈ 1, so only its first digits hold)
    assert shown == pytest.approx(4.659e-15, rel=0.01)
