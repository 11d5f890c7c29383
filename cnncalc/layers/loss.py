"""The loss command (MSE): its options, declared once."""

from __future__ import annotations

from cnncalc.layers.spec import CommandSpec, Option
from cnncalc.vocabulary import MSE_REDUCTIONS

REDUCTION = Option("reduction", "choice", "half_sum: L = ½·Σ(y − t)², dL/dy = y − t (the textbook form); sum: Σ(y − t)²; "
                                          "mean: (1/n)·Σ(y − t)², PyTorch's MSELoss.", default="half_sum", choices=MSE_REDUCTIONS,
                   aliases={"half": "half_sum"}, torch="reduction")


def _solver():
    from cnncalc.solve import loss

    return loss


SPEC = CommandSpec(
    name="loss",
    help="Mean squared error: L and dL/dy (½·Σ(y − t)² by default).",
    example="cnncalc loss -y '0.8 0.2' --target '1 0'",
    options=(
        Option("y", "tensor", "Output y, any shape.", flag="-y", torch="input"),
        Option("target", "tensor", "Target t, the shape of y.", short="-t", torch="target"),
        Option("kind", "choice", "mse (cross-entropy is computed from logits, in 'cnncalc softmax').",
               default="mse", choices=("mse",), aliases={"mean_squared_error": "mse", "l2": "mse"}),
        REDUCTION,
    ),
    names=("y", "t", "L", "dy"),
    solver=_solver,
)
