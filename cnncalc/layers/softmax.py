"""The softmax command and the pipeline's softmax layer: their options, declared once."""

from __future__ import annotations

from cnncalc.layers.spec import CommandSpec, Option

REDUCTION = Option("reduction", "choice", "sum or mean (divides by N, the rows) [default sum].", default="sum",
                   choices=("sum", "mean"), torch="reduction")


def _solver():
    from cnncalc.solve import softmax

    return softmax


SPEC = CommandSpec(
    name="softmax",
    help="Softmax p from logits z; with a target, cross-entropy L, dL/dp and dL/dz.",
    example="cnncalc softmax -z '39.6 39.6 39.6 39.6 39.6' --target 2 --jacobian",
    options=(
        Option("z", "tensor", "Logits: a vector (K,) or a batch (N, K).", flag="-z", torch="input"),
        Option("target", "tensor", "Class index (0-based, like PyTorch), one per row of a batch; or one-hot / "
                                   "probability rows.", short="-t", torch="target"),
        REDUCTION,
        Option("jacobian", "flag", "Also print dp/dz = diag(p) − p·pᵀ.", default=False),
    ),
    names=("z", "p", "t", "L", "dp", "dz"),
    solver=_solver,
    layer_types=("softmax",),
)
