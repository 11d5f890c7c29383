"""The output-size arithmetic as steps, with the user's numbers (geometry's rule)."""

from __future__ import annotations

from cnncalc.core.geometry import WindowGeometry, window_count
from cnncalc.explain.linear import Section
from cnncalc.explain.steps import Step, Target


def size_steps(geom: WindowGeometry, target: str = "y") -> list[Step]:
    """One step per axis: o = ⌊(n + lo + hi − d·(k − 1) − 1) / s⌋ + 1 (⌈⌉ in ceil mode)."""
    steps = []
    for axis in range(2):
        n, k, s, d = geom.in_hw[axis], geom.kernel_hw[axis], geom.stride[axis], geom.dilation[axis]
        lo, hi = geom.padding[axis]
        detail = {"axis": axis, "n": n, "k": k, "s": s, "d": d, "lo": lo, "hi": hi, "ceil_mode": geom.ceil_mode,
                  "before_drop": window_count(n, k, s, d, (lo, hi), geom.ceil_mode)}
        steps.append(Step("size", Target(target, (axis,)), value=geom.out_hw[axis], phase="shape", detail=detail))
    return steps


def size_section(geom: WindowGeometry) -> Section:
    return Section(2, lambda: iter(size_steps(geom)))
