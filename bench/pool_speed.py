"""Max-pool 2×2 (stride 2) forward + backward on N=8, C=64, 56×56, float64: cnncalc vs PyTorch.

Run with an interpreter that has both cnncalc and PyTorch (CPU) installed (see README.md):

    /tmp/torchenv/bin/python bench/pool_speed.py

Each implementation runs in its own worker process (their thread pools would otherwise
compete for the cores), in alternating blocks; the ratio of medians is the figure that
counts (budget: cnncalc within 2× of PyTorch). Results are checked equal (y, dx).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

SHAPE = (8, 64, 56, 56)


def data():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE)
    dy = rng.standard_normal((8, 64, 28, 28))
    return x, dy


def run_cnncalc(repeats: int):
    from cnncalc.core.pool import maxpool2d_backward, maxpool2d_forward, pool_geometry

    x, dy = data()
    geom = pool_geometry(SHAPE[2:], 2)
    times = []
    for _ in range(repeats + 2):
        start = time.perf_counter()
        forward = maxpool2d_forward(x, geom)
        dx = maxpool2d_backward(dy, x, geom, forward=forward).dx  # reuses the maxima, as autograd does
        y = forward.y
        times.append(time.perf_counter() - start)
    return times[2:], y, dx


def run_torch(repeats: int):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(2)
    x, dy = data()
    xt, dyt = torch.from_numpy(x), torch.from_numpy(dy)
    times = []
    for _ in range(repeats + 2):
        start = time.perf_counter()
        leaf = xt.clone().requires_grad_()
        y = F.max_pool2d(leaf, 2)
        (dx,) = torch.autograd.grad(y, leaf, dyt)
        times.append(time.perf_counter() - start)
    return times[2:], y.detach().numpy(), dx.numpy()


def worker(impl: str, repeats: int) -> None:
    import numpy as np

    times, y, dx = (run_cnncalc if impl == "cnncalc" else run_torch)(repeats)
    np.save(f"/tmp/pool_bench_{impl}_y.npy", y)
    np.save(f"/tmp/pool_bench_{impl}_dx.npy", dx)
    print(json.dumps(times))


def main() -> None:
    import numpy as np

    blocks, repeats = 4, 10
    samples = {"cnncalc": [], "torch": []}
    for _ in range(blocks):
        for impl in samples:
            out = subprocess.run([sys.executable, __file__, "--worker", impl, str(repeats)],
                                 capture_output=True, text=True, check=True).stdout
            samples[impl] += json.loads(out)
    med = {impl: statistics.median(times) for impl, times in samples.items()}
    diff = max(np.max(np.abs(np.load(f"/tmp/pool_bench_cnncalc_{k}.npy") - np.load(f"/tmp/pool_bench_torch_{k}.npy")))
               for k in ("y", "dx"))
    print(f"max-pool 2x2/2 forward+backward, N=8 C=64 56x56 float64, {blocks} blocks x {repeats} passes each")
    for impl, value in med.items():
        print(f"  {impl:8s} median {value * 1e3:8.2f} ms")
    print(f"  ratio cnncalc/torch: {med['cnncalc'] / med['torch']:.2f}x  (budget: at most 2x)")
    print(f"  max |cnncalc - torch| over y, dx: {diff:.3g}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        main()
