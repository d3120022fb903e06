"""PyTorch peer of a study's ResNet cell under a given learning-rate schedule.

    npx tsx scripts/schedule-peer.ts      # writes the cell's NPY arrays, then runs this script

    /usr/bin/python3 scripts/schedule_peer.py <dir> --schedule step|onecycle [--seed 0] [--threads 1]
        [--epochs 15] [--depth 20] [--width 16] [--batch 128] [--lr 0.1] [--weight-decay 1e-4]
        [--momentum 0.9] [--lr-steps 0.5,0.75] [--lr-decay 0.1] [--init he] [--init-scale 1]
        [--stride-padding symmetric|same] [--bn-shares 1] [--predictions PREFIX] [--start-from PARITY_DIR]
        [--save-start DIR]

<dir> holds train_x.npy, test_x.npy, shuffled_x.npy (float32, NHWC, as the study encodes them)
and train_y.npy, test_y.npy (int32). The network is bench/convnet_torch.py's, shaped as the
library's ResNet (the same 269,434 parameters for ResNet-20 on grey images): He et al.'s CIFAR
ResNet (a 3x3 stem, three stages of basic blocks at width, 2 width, 4 width, option-A
shortcuts: strided subsampling and zero channels), batch norm with PyTorch's defaults, convolutions
drawn as the library's `init` option (--init: 'he', the default, normal with std sqrt(2 / fan_in);
'he-uniform'; 'torch', PyTorch's own; 'torch-normal') times --init-scale, PyTorch's default linear
layer. SGD with weight decay;
'step' is lr with a fixed momentum, multiplied by lr-decay at each fraction lr-steps of the steps; 'onecycle' is
OneCycleLR with its defaults and max_lr = lr (momentum cycled 0.95-0.85), stepped every batch,
as the library's schedules. Batches: a fresh permutation each epoch, the last one partial.

--start-from PARITY_DIR: a crossed run. The network starts from the library's initial weights and
takes its batches in the library's order, both as scripts/step-parity.ts wrote them (init-*.npy,
names.json, order.npy) for the same ResNet-20, init and seed: the run then differs from the
library's cell only in its arithmetic (and --seed no longer matters).

--save-start DIR: the other crossing. Writes this run's initial weights (library names and
layouts, init-*.npy and names.json) and the batch order it would take (order.npy, [epochs, n]:
the torch.randperm of each epoch, drawn as the training loop draws them) into DIR, and exits
without training; scripts/cross-start.ts trains the library's ResNet from them.

Prints one JSON line per epoch: the schedule, seed, init and init scale, accuracy on the test inputs
and on the shuffled-signal ones (eval mode, running statistics), seconds so far.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convnet_torch import INITS, STRIDE_PADDINGS, ResNet  # noqa: E402  (the bench's network: one definition of it)


def nchw(path):
    return torch.from_numpy(np.ascontiguousarray(np.load(path).transpose(0, 3, 1, 2)))


def accuracy(model, x, y, batch=500):
    model.eval()
    ok = 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            ok += int((model(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum())
    model.train()
    return ok / len(y)


def predictions(model, x, batch=500):
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(x[i : i + batch]).argmax(1) for i in range(0, len(x), batch)])
    model.train()
    return out.numpy()


def start_from(model, parity, depth):
    """Loads the library's initial weights from `parity` into `model`; returns its batch order."""
    from step_parity import load_library_init  # the one mapping of library names to PyTorch's

    load_library_init(model, parity, depth, "--start-from")
    return torch.from_numpy(np.load(f"{parity}/order.npy").astype(np.int64))


def save_start(model, out, depth, epochs, n):
    """Writes `model`'s weights as the library names them and the batch order of `epochs` epochs."""
    from step_parity import to_library, torch_names

    os.makedirs(out, exist_ok=True)
    state = model.state_dict()
    names = []
    for lib, pt, kind in torch_names(depth):
        t = to_library(state[pt].numpy(), kind)
        np.save(f"{out}/init-{lib.replace('/', '.')}.npy", np.ascontiguousarray(t, dtype=np.float32))
        names.append(lib)
    json.dump(names, open(f"{out}/names.json", "w"))
    # The training loop draws nothing else from the generator between its permutations.
    np.save(f"{out}/order.npy", np.stack([torch.randperm(n).numpy() for _ in range(epochs)]).astype(np.int32))
    print(f"initial weights and batch order of {epochs} epochs in {out}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--schedule", choices=["step", "onecycle"], required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--lr-steps", default="0.5,0.75")
    p.add_argument("--lr-decay", type=float, default=0.1)
    p.add_argument("--init", choices=INITS, default="he")
    p.add_argument("--init-scale", type=float, default=1.0)
    # The library's ResNet option stridePadding: 'same' (TensorFlow's, the library's default) or
    # 'symmetric' (PyTorch's padding=1, this script's default, as its runs before the option).
    p.add_argument("--stride-padding", choices=STRIDE_PADDINGS, default="symmetric")
    # The library's data-parallel training on N threads: each share of a batch goes through the
    # network on its own (batch-norm statistics per share, as DataParallel without SyncBatchNorm)
    # and the gradients are summed with weights share / batch. The running statistics are updated
    # once per share here (the library keeps its first replica's); eval uses them.
    p.add_argument("--bn-shares", type=int, default=1)
    # Writes the last epoch's predictions on the test and shuffled inputs (int32 .npy, as the
    # library's readNpy reads them) for a paired test.
    p.add_argument("--predictions", default=None)
    p.add_argument("--start-from", default=None)
    p.add_argument("--save-start", default=None)
    a = p.parse_args()
    if a.bn_shares < 1:
        p.error(f"--bn-shares: expected an integer >= 1, got {a.bn_shares}")
    if not (math.isfinite(a.init_scale) and a.init_scale > 0):
        p.error(f"--init-scale: expected a finite number > 0, got {a.init_scale}")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    d = a.dir
    xtr, xte, xsh = nchw(f"{d}/train_x.npy"), nchw(f"{d}/test_x.npy"), nchw(f"{d}/shuffled_x.npy")
    ytr = torch.from_numpy(np.load(f"{d}/train_y.npy").astype(np.int64))
    yte = torch.from_numpy(np.load(f"{d}/test_y.npy").astype(np.int64))
    classes = int(max(ytr.max(), yte.max())) + 1
    model = ResNet(a.depth, classes, channels=xtr.shape[1], width=a.width, init=a.init, init_scale=a.init_scale,
                   stride_padding=a.stride_padding)
    if a.save_start is not None:
        save_start(model, a.save_start, a.depth, a.epochs, len(ytr))
        return
    order = None
    if a.start_from is not None:
        order = start_from(model, a.start_from, a.depth)
        if order.shape != (a.epochs, len(ytr)):
            p.error(f"--start-from: {a.start_from}/order.npy is {order.shape}, expected ({a.epochs}, {len(ytr)})")
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay)
    per_epoch = math.ceil(len(ytr) / a.batch)
    total = a.epochs * per_epoch
    if a.schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=total)
    else:
        # The library decays at the first step >= fraction x total steps.
        steps = [math.ceil(float(f) * total) for f in a.lr_steps.split(",")]
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, steps, a.lr_decay)
    t0 = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        perm = torch.randperm(len(ytr)) if order is None else order[epoch - 1]
        for i in range(0, len(ytr), a.batch):
            idx = perm[i : i + a.batch]
            opt.zero_grad()
            size = math.ceil(len(idx) / a.bn_shares)
            for share in idx.split(size):
                (F.cross_entropy(model(xtr[share]), ytr[share]) * (len(share) / len(idx))).backward()
            opt.step()
            sched.step()
        row = {
            "schedule": a.schedule,
            "seed": a.seed,
            "init": a.init,
            "initScale": a.init_scale,
            "bnShares": a.bn_shares,
            "stridePadding": a.stride_padding,
            **({} if a.start_from is None else {"startFrom": a.start_from}),
            "epoch": epoch,
            "accuracy": accuracy(model, xte, yte),
            "shuffledAccuracy": accuracy(model, xsh, yte),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(json.dumps(row), flush=True)
    if a.predictions is not None:
        np.save(f"{a.predictions}-test.npy", predictions(model, xte).astype(np.int32))
        np.save(f"{a.predictions}-shuffled.npy", predictions(model, xsh).astype(np.int32))


if __name__ == "__main__":
    main()
