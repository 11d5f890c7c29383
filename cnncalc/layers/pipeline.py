"""The pipeline command: its fields, declared once (each layer's options live with its layer)."""

from __future__ import annotations

from cnncalc.layers.spec import CommandSpec, Option


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
