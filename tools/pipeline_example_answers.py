"""Recompute, with PyTorch, the expected answers of the three pipeline examples.

    /tmp/torch/bin/python tools/pipeline_example_answers.py RESULT.json NAME

RESULT.json is `cnncalc pipeline examples/NAME.yaml --json` (it supplies the inputs,
including the seeded random parameters); NAME is pipeline_random_cnn, pipeline_two_conv or
seed004_mse_sigmoid_head. The script builds the same network in PyTorch (float64), checks
cnncalc's numbers against it (max difference below 1e-12) and prints the `expect:` block
that the example file carries. PyTorch is never a dependency of cnncalc or its tests.
"""
import json, sys, torch, torch.nn.functional as F
torch.set_default_dtype(torch.float64)
r = json.load(open(sys.argv[1]))
T = lambda k: torch.tensor(r["inputs"][k]["data"])
name = sys.argv[2]
out = {}
if name == "pipeline_random_cnn":
    x = T("input").reshape(1,1,6,6).requires_grad_()
    w = T("conv_1.weight").requires_grad_(); b = T("conv_1.bias").requires_grad_()
    W = T("fc_1.weight").requires_grad_()
    c = F.conv2d(x, w, b); c.retain_grad(); rl = F.relu(c); rl.retain_grad()
    pl = F.max_pool2d(rl, 2); pl.retain_grad(); fl = pl.reshape(1,-1); fl.retain_grad()
    fc = fl @ W.T; fc.retain_grad(); p = F.softmax(fc, -1); p.retain_grad()
    L = -(torch.log(p[0,0])); L.backward()
    seq = [("conv_1", c), ("relu_1", rl), ("pool_1", pl), ("flatten_1", fl), ("fc_1", fc), ("p", p)]
    params = [("conv_1.weight", w), ("conv_1.bias", b), ("fc_1.weight", W)]
    strip = lambda t: t[0]
elif name == "pipeline_two_conv":
    x = T("input").reshape(1,1,6,6).requires_grad_()
    w1 = T("conv_1.weight").requires_grad_(); b1 = T("conv_1.bias").requires_grad_()
    w2 = T("conv_2.weight").requires_grad_(); W = T("fc_1.weight").requires_grad_(); bf = T("fc_1.bias").requires_grad_()
    c1 = F.conv2d(x, w1, b1, stride=2, padding=1); c1.retain_grad(); r1 = F.relu(c1); r1.retain_grad()
    c2 = F.conv2d(F.pad(r1, (0,1,0,1)), w2); c2.retain_grad(); t1 = torch.tanh(c2); t1.retain_grad()
    fl = t1.reshape(1,-1); fl.retain_grad(); fc = fl @ W.T + bf; fc.retain_grad()
    L = 0.5*((fc - torch.tensor([[1.,0.]]))**2).sum(); L.backward()
    seq = [("conv_1", c1), ("relu_1", r1), ("conv_2", c2), ("tanh_1", t1), ("flatten_1", fl), ("fc_1", fc)]
    params = [("conv_1.weight", w1), ("conv_1.bias", b1), ("conv_2.weight", w2), ("fc_1.weight", W), ("fc_1.bias", bf)]
    strip = lambda t: t[0]
else:
    x = T("input").reshape(1,3).requires_grad_()
    W = T("fc_1.weight").requires_grad_(); b = T("fc_1.bias").requires_grad_()
    fc = x @ W + b; fc.retain_grad(); s = torch.sigmoid(fc); s.retain_grad()
    L = 0.5*((s - torch.tensor([[0.,1.]]))**2).sum(); L.backward()
    seq = [("fc_1", fc), ("sigmoid_1", s)]
    params = [("fc_1.weight", W), ("fc_1.bias", b)]
    strip = lambda t: t[0]
for k, t in seq: out[k] = strip(t.detach()).tolist()
out["L"] = L.item()
for k, t in seq: out["dL/d"+k] = strip(t.grad).tolist()
out["dL/dinput"] = x.grad.reshape(torch.tensor(r["inputs"]["input"]["data"]).shape).tolist()
for k, t in params: out["dL/d"+k] = t.grad.tolist()
# compare with cnncalc too
import numpy as np
for k, v in out.items():
    sec = r["forward"] if k in r["forward"] else r["backward"]
    diff = np.max(np.abs(np.array(sec[k]["data"]) - np.array(v)))
    assert diff < 1e-12, (k, diff)
print("expect:")
for k, v in out.items():
    print(f"  {k}: {json.dumps(v)}")
