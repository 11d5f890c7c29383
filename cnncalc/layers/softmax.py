"""The softmax command and the pipeline's softmax layer: their options, declared once."""

from __future__ import annotations

from cnncalc.layers.spec import CommandSpec, Option
from cnncalc.vocabulary import CROSS_ENTROPY_REDUCTIONS

REDUCTION = Option("reduction", "choice", "sum or mean (divides L and the gradients by N, the number of rows).", default="sum",
                   choices=CROSS_ENTROPY_REDUCTIONS, torch="reduction")


def _solver():
    from cnncalc.solve import softmax

    return softmax


SPEC = CommandSpec(
    name="softmax",
    help="Softmax p from logits z; with a target, cross-entropy L, dL/dp and dL/dz.",
    example="cnncalc softmax -z '39.6 39.6 39.6 39.6 39.6' --target 2 --jacobian",
    options=(
        Option("z", "tensor", "Logits: a vector (K,) or a batch (N, K).", flag="-z", torch="input"),
        Option("target", "tensor", "A class index, 0-based like PyTorch (a vector of N indices for a batch), "
                                   "or one-hot / soft probability rows.", short="-t", torch="target",
               shown_default="none"),
        REDUCTION,
        Option("jacobian", "flag", "Also print dp/dz = diag(p) − p·pᵀ, and dL/dp times it, which equals dL/dz.", default=False),
    ),
    names=("z", "p", "t", "L", "dp", "dz"),
    solver=_solver,
    layer_types=("softmax",),
)
