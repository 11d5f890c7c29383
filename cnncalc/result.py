"""What a command hands to the renderers: resolved parameters, conventions, tensors.

Renderers (tables, JSON, later Markdown and LaTeX) read only this; the solvers
never format text for a particular output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnncalc.naming import Naming

JSON_SCHEMA_VERSION = 2  # 2: "rules", the conventions as data


@dataclass
class Result:
    command: str
    parameters: dict
    conventions: list = field(default_factory=list)  # cnncalc.core.conventions.Rule: the conventions as data
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    forward: dict[str, np.ndarray] = field(default_factory=dict)
    backward: dict[str, np.ndarray] = field(default_factory=dict)
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    positions: dict[str, np.ndarray] = field(default_factory=dict)  # (..., 2) 0-based (row, col)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    naming: Naming = field(default_factory=Naming)
    slice_axes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # labels of leading axes
    explanation: object | None = None  # cnncalc.explain.steps.Explanation, when one was asked for
    exact: dict | None = None  # --exact: canonical name → object array of Fractions (None where not rational)
    # canonical name → Σ|terms| of each entry (cnncalc.core.magnitudes), where the solver knows it: the
    # scale an entry's rounding residue is judged against (a cancelled sum's 6.9e-18 of an exact 0)
    magnitudes: dict[str, np.ndarray] = field(default_factory=dict)
    problem: object | None = None  # the problem as read (inputs.problem.Problem): --emit-problem, --show-code

    @property
    def names(self) -> dict[str, str]:
        """The user's display names (canonical → shown), as JSON lists them."""
        return self.naming.display

    def display_name(self, name: str) -> str:
        return self.naming.shown(name)

    def tensor(self, name: str) -> np.ndarray:
        """Any tensor of the result by its canonical name."""
        for section in (self.inputs, self.forward, self.backward, self.extras, self.positions):
            if name in section:
                return section[name]
        raise KeyError(name)

    @property
    def tensor_names(self) -> list[str]:
        return [name for section in (self.inputs, self.forward, self.backward) for name in section]
