"""PyTorch side of scripts/step-parity.ts: loads the library's initial weights into
bench/convnet_torch.py's ResNet-20, compares the logits before any step, takes the library's
steps (its batch order, OneCycleLR over the same total, SGD momentum with weight decay) and
prints, at each checkpoint, the largest relative difference of any tensor from the library's.

    /usr/bin/python3 scripts/step_parity.py <dir> --checkpoints 1,2,5 [--stride-padding same|symmetric]
        [--dtype float32|float64] [--save-to PREFIX] [--against PREFIX]

--stride-padding: how the stride-2 convolutions pad. 'symmetric' is PyTorch's (padding=1 on each
side: the window of output i is centred on input 2i, as the option-A shortcut's sample);
'same' is TensorFlow's (total padding 1, all of it after: the window is centred on input 2i + 1).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from convnet_torch import ResNet  # noqa: E402


def library_tensors(parity, prefix, names):
    return {n: np.load(f"{parity}/{prefix}-{n.replace('/', '.')}.npy") for n in names}


def load_library_init(model, parity, depth, who):
    """Loads the library's initial weights, as scripts/step-parity.ts writes them into `parity`
    (names.json, init-*.npy), into `model`, a ResNet-`depth` of bench/convnet_torch.py; exits
    naming `who` if they are another network's. Returns the names and the weights (library layouts)."""
    names = json.load(open(f"{parity}/names.json"))
    pairs = torch_names(depth)
    if sorted(lib for lib, _, _ in pairs) != sorted(names):
        sys.exit(f"{who}: {parity} does not hold a ResNet-{depth}'s variables: {names[:6]} …")
    init = library_tensors(parity, "init", names)
    state = dict(model.state_dict())
    for lib, pt, kind in pairs:
        t = to_torch(init[lib], kind)
        if t.shape != state[pt].shape:
            sys.exit(f"{who}: {lib} {tuple(t.shape)} vs {pt} {tuple(state[pt].shape)}")
        state[pt] = t
    model.load_state_dict(state)
    return names, init


def torch_names(depth):
    """The library's variable names, in its order, each with the PyTorch tensor it is (and how to lay it out)."""
    n = (depth - 2) // 6
    pairs = [("stem/conv", "conv.weight", "conv")]
    bn = lambda lib, pt: [  # noqa: E731
        (f"{lib}/gamma", f"{pt}.weight", "vec"),
        (f"{lib}/beta", f"{pt}.bias", "vec"),
        (f"{lib}/moving_mean", f"{pt}.running_mean", "vec"),
        (f"{lib}/moving_variance", f"{pt}.running_var", "vec"),
    ]
    pairs += bn("stem/bn", "bn")
    k = 0
    for stage in range(3):
        for j in range(n):
            lib = f"stage{stage + 1}/block{j + 1}"
            pairs.append((f"{lib}/conv1", f"layers.{k}.c1.weight", "conv"))
            pairs += bn(f"{lib}/bn1", f"layers.{k}.b1")
            pairs.append((f"{lib}/conv2", f"layers.{k}.c2.weight", "conv"))
            pairs += bn(f"{lib}/bn2", f"layers.{k}.b2")
            k += 1
    pairs += [("fc/kernel", "fc.weight", "dense"), ("fc/bias", "fc.bias", "vec")]
    return pairs


def to_library(a, kind):
    """The inverse of to_torch: a PyTorch array in the library's layout."""
    if kind == "conv":  # [out, in, kh, kw] -> [kh, kw, in, out]
        return a.transpose(2, 3, 1, 0)
    if kind == "dense":  # [out, in] -> [in, out]
        return a.T
    return a


def to_torch(a, kind):
    if kind == "conv":  # [kh, kw, in, out] -> [out, in, kh, kw]
        return torch.from_numpy(np.ascontiguousarray(a.transpose(3, 2, 0, 1)))
    if kind == "dense":  # [in, out] -> [out, in]
        return torch.from_numpy(np.ascontiguousarray(a.T))
    return torch.from_numpy(a.copy())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--checkpoints", default="1,2,5")
    p.add_argument("--stride-padding", choices=["same", "symmetric"], default="same")
    # float64 on the PyTorch side: its distance from the library is then the library's own rounding,
    # and a float32 run's distance from a float64 one is what rounding alone explains.
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--save-to", default=None)
    # Compare with another PyTorch run's tensors (its --save-to prefix) instead of the library's:
    # float32 against float64 gives what rounding alone does.
    p.add_argument("--against", default=None)
    a = p.parse_args()
    torch.set_num_threads(1)
    d = a.dir
    pairs = torch_names(20)
    xtr = torch.from_numpy(np.ascontiguousarray(np.load(f"{d}/train_x.npy").transpose(0, 3, 1, 2)))
    ytr = torch.from_numpy(np.load(f"{d}/train_y.npy").astype(np.int64))
    order = torch.from_numpy(np.load(f"{d}/parity/order.npy").astype(np.int64))
    epochs, n = order.shape
    model = ResNet(20, 10, channels=xtr.shape[1], width=16, init="torch", stride_padding=a.stride_padding)
    names, init = load_library_init(model, f"{d}/parity", 20, "step_parity")
    dtype = getattr(torch, a.dtype)
    model.to(dtype)
    xtr = xtr.to(dtype)

    x0 = xtr[:32]
    model.eval()
    with torch.no_grad():
        ev = F.log_softmax(model(x0), 1).numpy()
    model.train()
    # Training-mode logits move the running statistics: compare on a copy.
    import copy

    with torch.no_grad():
        tr = F.log_softmax(copy.deepcopy(model)(x0), 1).numpy()
    for mode, mine in (("eval", ev), ("train", tr)):
        lib = np.load(f"{d}/parity/logprobs-{mode}.npy")
        print(json.dumps({"check": f"log-probabilities before any step, {mode} mode", "maxAbsDiff": float(np.abs(lib - mine).max()),
                          "scale": float(np.abs(lib).max()), "argmaxAgree": int((lib.argmax(1) == mine.argmax(1)).sum()), "of": len(lib)}))

    batch = 128
    per_epoch = math.ceil(n / batch)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=epochs * per_epoch)
    checkpoints = sorted(int(c) for c in a.checkpoints.split(","))
    step = 0
    for epoch in range(epochs):
        for b in range(per_epoch):
            if step >= checkpoints[-1]:
                return
            idx = order[epoch, b * batch : (b + 1) * batch]
            opt.zero_grad()
            F.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
            sched.step()
            step += 1
            if step in checkpoints:
                lib = library_tensors(f"{d}/parity", f"step{step}", names)
                sd = model.state_dict()
                total = []
                for name, pt, kind in pairs:
                    mine = sd[pt].numpy().astype(np.float32)
                    theirs = (to_torch(lib[name], kind).numpy() if a.against is None
                              else np.load(f"{a.against}-step{step}-{name.replace('/', '.')}.npy"))
                    if a.save_to:
                        np.save(f"{a.save_to}-step{step}-{name.replace('/', '.')}.npy", mine)
                    moved = np.linalg.norm(theirs - to_torch(init[name], kind).numpy())
                    diff = np.linalg.norm(theirs - mine)
                    rel = diff / max(moved, 1e-30)
                    total.append((rel, name, float(diff), float(moved)))
                total.sort(reverse=True)
                print(json.dumps({"step": step, "worst": [{"tensor": t[1], "diffOverUpdate": float(round(t[0], 6)), "diff": t[2], "update": t[3]} for t in total[:4]],
                                  "median diffOverUpdate": float(np.median([t[0] for t in total]))}))


if __name__ == "__main__":
    main()
