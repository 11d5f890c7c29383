"""The pipeline command: its fields, declared once (each layer's options live with its layer)."""

from __future__ import annotations

from cnncalc.layers import loss, softmax
from cnncalc.layers.spec import CommandSpec, Option

# The fields of the `loss:` mapping; each loss's reduction is the one its own command declares.
LOSS_TYPE = Option("type", "choice", "cross_entropy or mse.", choices=("cross_entropy", "mse"),
                   aliases={"ce": "cross_entropy", "crossentropy": "cross_entropy", "mean_squared_error": "mse"})
LOSS_REDUCTIONS = {"cross_entropy": softmax.REDUCTION, "mse": loss.REDUCTION}
LOSS_FIELDS = ("type", "kind", "reduction", "target")


def _solver():
    from cnncalc.solve import pipeline

    return pipeline


SPEC = CommandSpec(
    name="pipeline",
    help="A whole network from a YAML file: every intermediate forward, every gradient backward.",
    example="cnncalc pipeline examples/seed001_homework11.yaml --only fc_1,p,L",
    options=(
        Option("input", "tensor", "The network's input.", cli=False),
        Option("layers", "list", "The layers, in order (a YAML list; see the README).", cli=False),
        Option("loss", "list", "cross_entropy or mse, or {type: ..., reduction: ..., target: ...}.", cli=False),
        Option("target", "tensor", "The loss's target (a class index, one-hot or probabilities; or values for mse).",
               cli=False),
        Option("only", "list", "Show only these tensors, e.g. conv_1,dL/dconv_1.weight,L."),
    ),
    solver=_solver,
)
