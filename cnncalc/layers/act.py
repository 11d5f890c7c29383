"""The act command and the pipeline's activation layers: their options, declared once."""

from __future__ import annotations

from cnncalc.layers.spec import CommandSpec, Option
from cnncalc.vocabulary import ACTIVATION_KINDS, LEAKY_SLOPE

KIND_ALIASES = {"leaky": "leaky_relu", "leakyrelu": "leaky_relu", "logistic": "sigmoid"}


def _solver():
    from cnncalc.solve import act

    return act


SPEC = CommandSpec(
    name="act",
    help="Activation: relu, leaky_relu, sigmoid, tanh; dx from dy.",
    example="cnncalc act --kind sigmoid -x '-1 0 2' --dy '1 1 1'",
    options=(
        Option("kind", "choice", "relu (gradient 0 at exactly 0, as PyTorch), leaky_relu, sigmoid or tanh.", choices=ACTIVATION_KINDS,
               aliases=KIND_ALIASES),
        Option("x", "tensor", "Input, any shape.", flag="-x", torch="input"),
        Option("dy", "tensor", "Upstream gradient dL/dy, the shape of x; without it no gradients are computed.", flag="--dy",
               shown_default="none"),
        Option("slope", "number", "leaky_relu's slope a for x ≤ 0 (its gradient at 0 is a, as PyTorch).", default=LEAKY_SLOPE,
               torch="negative_slope", pipeline="slope", layers=("leaky_relu",)),
    ),
    names=("x", "y", "dy", "dx", "L"),
    solver=_solver,
    layer_types=ACTIVATION_KINDS,
    type_aliases=KIND_ALIASES,
)

# A pipeline-only layer: no options, no command.
FLATTEN = CommandSpec(name="flatten", help="Flatten (N, C, H, W) to (N, C·H·W) in C order.", example="",
                      options=(), layer_types=("flatten",))
