"""Every call the speed benches make, in one place: cnncalc's core, PyTorch, and the GEMM floor.

Each `*_pass` function takes the problem's arrays and returns run(), one forward +
backward pass that returns the arrays to compare (a dict). Geometry objects are made
once, outside run(), as a layer built once would hold them; torch's leaves are made
once too (no clone inside the timing). If cnncalc's core changes its signatures, this
is the one file to update.

The GEMM floor of a conv is the time of its three matrix products in im2col form,
with the operands already laid out:
  forward  y    (G, O/G, N·Ho·Wo) = w (G, O/G, C/G·kH·kW) @ cols (G, C/G·kH·kW, N·Ho·Wo)
  weights  dw   = dy @ colsᵀ
  inputs   dcols = wᵀ @ dy                      (col2im, the scatter into dx, not included)
what any conv that goes through BLAS must pay at least; an fc layer's floor is its three
products likewise.
"""

from __future__ import annotations

import numpy as np

SEED = 0


def rng():
    return np.random.default_rng(SEED)


def conv_out(n: int, k: int, stride: int, padding: int, dilation: int) -> int:
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def conv_data(p: dict) -> dict:
    """x, w, b, dy for conv params n, cin, cout, hw, k, stride, padding, dilation, groups."""
    r = rng()
    ho = conv_out(p["hw"], p["k"], p["stride"], p["padding"], p["dilation"])
    return {"x": r.standard_normal((p["n"], p["cin"], p["hw"], p["hw"])),
            "w": r.standard_normal((p["cout"], p["cin"] // p["groups"], p["k"], p["k"])),
            "b": r.standard_normal(p["cout"]),
            "dy": r.standard_normal((p["n"], p["cout"], ho, ho))}


# ----------------------------------------------------------------- cnncalc

def cnncalc_conv(d: dict, p: dict):
    from cnncalc.core.conv import conv2d_backward, conv2d_forward
    from cnncalc.core.geometry import window_geometry

    geom = window_geometry((p["hw"], p["hw"]), (p["k"], p["k"]), stride=p["stride"], padding=p["padding"],
                           dilation=p["dilation"])
    x, w, b, dy, g = d["x"], d["w"], d["b"], d["dy"], p["groups"]

    def run():
        y = conv2d_forward(x, w, b, geom, groups=g)
        grads = conv2d_backward(dy, x, w, geom, groups=g)
        return {"y": y, "dx": grads.dx, "dw": grads.dw, "db": grads.db}

    return run


def cnncalc_pool(x: np.ndarray, dy: np.ndarray, kind: str, k: int, s: int):
    from cnncalc.core import pool

    geom = pool.pool_geometry(x.shape[2:], k, s, kind=kind)
    if kind == "avg":
        def run():
            return {"y": pool.avgpool2d_forward(x, geom).y, "dx": pool.avgpool2d_backward(dy, geom).dx}
        return run

    def run():
        forward = pool.maxpool2d_forward(x, geom)
        # the forward's maxima are handed back, as autograd keeps its indices
        return {"y": forward.y, "dx": pool.maxpool2d_backward(dy, x, geom, forward=forward).dx}

    return run


def cnncalc_cross_entropy(z: np.ndarray, classes: np.ndarray):
    from cnncalc.core.softmax import cross_entropy, target_distribution

    def run():
        result = cross_entropy(z, target_distribution(classes, z.shape), "mean")
        return {"L": np.array(result.loss), "dz": result.dz}

    return run


def cnncalc_pipeline(d: dict):
    """conv (pad 1) → relu → maxpool 2 → flatten → fc → softmax → cross-entropy (mean)."""
    from cnncalc.core import network as net
    from cnncalc.core.softmax import target_distribution

    layers = [net.Conv(d["w1"], d["b1"], padding=1), net.Activation("relu"), net.Pool("max", 2), net.Flatten(),
              net.Fc(d["w2"], d["b2"]), net.Softmax()]
    loss = net.Loss("cross_entropy", "mean")

    def run():
        t = target_distribution(d["classes"], (d["x"].shape[0], d["w2"].shape[0]))
        done = net.run_network(layers, d["x"], loss, t)
        return {"L": np.array(done.loss), "dx": done.input_grad, "dw1": done.param_grads[0]["weight"],
                "db1": done.param_grads[0]["bias"], "dw2": done.param_grads[4]["weight"],
                "db2": done.param_grads[4]["bias"]}

    return run


# ----------------------------------------------------------------- torch

def torch_conv(d: dict, p: dict):
    import torch
    import torch.nn.functional as F

    x, w, b = (torch.from_numpy(d[k]).requires_grad_(True) for k in ("x", "w", "b"))
    dy = torch.from_numpy(d["dy"])

    def run():
        y = F.conv2d(x, w, b, stride=p["stride"], padding=p["padding"], dilation=p["dilation"], groups=p["groups"])
        dx, dw, db = torch.autograd.grad(y, (x, w, b), dy)
        return {"y": y.detach().numpy(), "dx": dx.numpy(), "dw": dw.numpy(), "db": db.numpy()}

    return run


def torch_pool(x: np.ndarray, dy: np.ndarray, kind: str, k: int, s: int):
    import torch
    import torch.nn.functional as F

    leaf, grad = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(dy)
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d

    def run():
        y = pool(leaf, k, s)
        (dx,) = torch.autograd.grad(y, leaf, grad)
        return {"y": y.detach().numpy(), "dx": dx.numpy()}

    return run


def torch_cross_entropy(z: np.ndarray, classes: np.ndarray):
    import torch
    import torch.nn.functional as F

    logits, target = torch.from_numpy(z).requires_grad_(True), torch.from_numpy(classes)

    def run():
        loss = F.cross_entropy(logits, target)
        (dz,) = torch.autograd.grad(loss, logits)
        return {"L": loss.detach().numpy(), "dz": dz.numpy()}

    return run


def torch_pipeline(d: dict):
    import torch
    import torch.nn.functional as F

    leaves = {k: torch.from_numpy(d[k]).requires_grad_(True) for k in ("x", "w1", "b1", "w2", "b2")}
    target = torch.from_numpy(d["classes"])
    names = ("x", "w1", "b1", "w2", "b2")

    def run():
        h = F.max_pool2d(torch.relu(F.conv2d(leaves["x"], leaves["w1"], leaves["b1"], padding=1)), 2)
        loss = F.cross_entropy(F.linear(h.flatten(1), leaves["w2"], leaves["b2"]), target)
        grads = torch.autograd.grad(loss, [leaves[k] for k in names])
        return {"L": loss.detach().numpy()} | {"d" + k: g.numpy() for k, g in zip(names, grads)}

    return run


# ----------------------------------------------------------------- GEMM floors

def gemm_operands(groups: int, out_per_group: int, inner: int, columns: int) -> dict:
    r = rng()
    return {"w": r.standard_normal((groups, out_per_group, inner)),
            "cols": r.standard_normal((groups, inner, columns)),
            "dy": r.standard_normal((groups, out_per_group, columns))}


def gemm_three(ops: dict) -> None:
    np.matmul(ops["w"], ops["cols"])
    np.matmul(ops["dy"], ops["cols"].transpose(0, 2, 1))
    np.matmul(ops["w"].transpose(0, 2, 1), ops["dy"])


def conv_gemm_operands(p: dict) -> dict:
    ho = conv_out(p["hw"], p["k"], p["stride"], p["padding"], p["dilation"])
    g = p["groups"]
    return gemm_operands(g, p["cout"] // g, p["cin"] // g * p["k"] ** 2, p["n"] * ho * ho)


def gemm_floor(*operand_sets: dict):
    def run():
        for ops in operand_sets:
            gemm_three(ops)

    return run
