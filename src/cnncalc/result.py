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
        """The user's name for a canonical one; 'dx' follows the name given to x."""
        if name in self.names:
            return self.names[name]
        if name.startswith("dL/d"):
            return "dL/d" + self.display_name(name[4:])
        if name.startswith("d") and name[1:] in self.names:
            loss = self.names.get("L", "L")
            return f"d{loss}/d{self.names[name[1:]]}"
        return name
