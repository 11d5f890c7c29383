"""A single-layer command's problem as the one-layer network it describes: the core layer,
its geometry options resolved as the solver resolved them, and the batch shape of its input
(NCHW for conv and pool, (N, in) for fc, as given for an activation). --exact and --show-code
both run this network, so the two cannot describe different layers."""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.core import network
from cnncalc.solve.layout import as_nchw, as_oihw

LAYER_COMMANDS = ("conv", "pool", "fc", "act")
PARAMETERS = {"weight": "w", "bias": "b"}  # a conv's or fc's parameters: the layer's name → the result's


@dataclass(frozen=True)
class OneLayer:
    layer: object                 # a cnncalc.core.network layer
    batch_shape: tuple[int, ...]  # its input x as the layer computes it
    parameters: dict[str, str]    # the layer's parameters that are set → their names in the result


def one_layer(result, typed) -> OneLayer:
    """The network layer of a solved conv, pool, fc or act problem."""
    if result.command == "conv":
        from cnncalc.solve.conv import _bias

        w4 = as_oihw(typed.w)
        bias = _bias(typed.b, w4.shape[0]) if typed.b is not None else None
        layer = network.Conv(w4, bias, typed.stride, typed.padding, typed.dilation, typed.groups, typed.mode,
                             typed.anchor)
        return OneLayer(layer, as_nchw(typed.x).shape, _set(layer))
    if result.command == "pool":
        layer = network.Pool(typed.kind, typed.kernel_size, typed.stride, typed.padding, typed.dilation,
                             typed.ceil_mode, typed.count_include_pad, typed.ties)
        return OneLayer(layer, as_nchw(typed.x).shape, {})
    if result.command == "fc":
        layer = network.Fc(typed.w, typed.b, typed.layout)
        return OneLayer(layer, (result.parameters["batch"], result.parameters["in"]), _set(layer))
    if result.command == "act":
        return OneLayer(network.Activation(typed.kind, typed.slope), typed.x.shape, {})
    raise ValueError(f"{result.command} is not one of {LAYER_COMMANDS}")


def _set(layer) -> dict[str, str]:
    return {key: name for key, name in PARAMETERS.items() if getattr(layer, key) is not None}
