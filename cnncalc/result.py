"""What a command hands to the renderers: resolved parameters, conventions, tensors.

Renderers (tables, JSON, later Markdown and LaTeX) read only this; the solvers
never format text for a particular output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

JSON_SCHEMA_VERSION = 1


@dataclass
class Result:
    command: str
    parameters: dict
    conventions: list[str] = field(default_factory=list)
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    forward: dict[str, np.ndarray] = field(default_factory=dict)
    backward: dict[str, np.ndarray] = field(default_factory=dict)
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    positions: dict[str, np.ndarray] = field(default_factory=dict)  # (..., 2) 0-based (row, col)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    slice_axes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # labels of leading axes

    def display_name(self, name: str) -> str:
        """The user's name for a canonical one; a gradient 'dx' shows as dL/dx (dC/dI with names)."""
        if name in self.names:
            return self.names[name]
        if name.startswith("dL/d"):
            return f"d{self.names.get('L', 'L')}/d{self.display_name(name[4:])}"
        base = name[1:]
        if name.startswith("d") and (base in self.inputs or base in self.forward):
            return f"d{self.names.get('L', 'L')}/d{self.display_name(base)}"
        return name
