"""The registry: every command's declaration, in --help order, and the pipeline's layer types.

The CLI, the problem-file reader, the pipeline and the README's option tables all read
these; a command is found here, never by importing a module by its name.
"""

from __future__ import annotations

from cnncalc.layers import act, conv, fc, loss, pipeline, pool, shape, softmax
from cnncalc.layers.spec import CommandSpec, Option

COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in (
    conv.SPEC, pool.SPEC, fc.SPEC, act.SPEC, softmax.SPEC, loss.SPEC, pipeline.SPEC, shape.SPEC)}

LAYER_SPECS: tuple[CommandSpec, ...] = (conv.SPEC, act.SPEC, pool.SPEC, act.FLATTEN, fc.SPEC, softmax.SPEC)
LAYER_TYPES: dict[str, CommandSpec] = {kind: spec for spec in LAYER_SPECS for kind in spec.layer_types}
LAYER_TYPE_ALIASES: dict[str, str] = {alias: kind for spec in LAYER_SPECS for alias, kind in spec.type_aliases.items()}

__all__ = ["COMMANDS", "LAYER_TYPES", "LAYER_TYPE_ALIASES", "CommandSpec", "Option"]
