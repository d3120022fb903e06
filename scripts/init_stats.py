"""PyTorch's initial-weight statistics, the reference test/models/init.test.ts checks the library's
`init` option against.

    nice -n 19 /usr/bin/python3 scripts/init_stats.py    # writes test/fixtures/torch-init-stats.json (~1 min, 1 thread)

Builds, for each of SEEDS torch seeds (torch.manual_seed(seed) before each network):
- bench/convnet_torch.py's ResNet(20, classes=10, channels=1, width=16) under each of its inits
  ('torch' is PyTorch's default; 'he' is the former he_init=True, the peer of the library's
  default; 'he-uniform' and 'torch-normal' are the peer's draws of the library's other two),
- its CharCNN (Zhang et al.'s small one, 70 letters x 1014 positions, 2 classes) with PyTorch's
  defaults (Conv1d: fan_in = in-channels x kernel, as the library's),
- the perceptron, nn.Linear(784, 10) (28 x 28 grey images, 10 classes),
- ShallowMaxNN's convolution nn.Conv2d(1, 64, 3) (with bias), and its nn.Linear(64, 10).

For every parameter tensor, in named_parameters() order (the library's order of trainable
variables), it writes PyTorch's shape, fan_in (elements of one output unit's weights; biases
and batch norm take their layer's), and over all seeds pooled: n (values), mean, std (about the
pooled mean), maxAbs (9 digits: the float32 itself), kurtosis E[w^4] / E[w^2]^2 (about 0, not excess: 1.8 uniform, 3 normal;
null for an all-zero tensor) and kurtosisSe, its standard error by the delta method from the
moments up to the 8th. No raw weights.
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
from convnet_torch import CharCNN, ResNet  # noqa: E402  (the peers' networks: one definition of them)

SEEDS = 20
OUT = os.path.join(HERE, "..", "test", "fixtures", "torch-init-stats.json")
COMMAND = "nice -n 19 /usr/bin/python3 scripts/init_stats.py"


class ShallowMax(nn.Module):
    """The parameters of the library's ShallowMaxNN at its defaults on grey images, 10 classes."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 64, 3)
        self.fc = nn.Linear(64, 10)


NETWORKS = {
    "resnet20/torch": lambda: ResNet(20, classes=10, channels=1, width=16, init="torch"),
    "resnet20/he": lambda: ResNet(20, classes=10, channels=1, width=16, init="he"),
    "resnet20/he-uniform": lambda: ResNet(20, classes=10, channels=1, width=16, init="he-uniform"),
    "resnet20/torch-normal": lambda: ResNet(20, classes=10, channels=1, width=16, init="torch-normal"),
    "charCnn-small/torch": lambda: CharCNN(),
    "perceptron/torch": lambda: nn.Linear(784, 10),
    "shallowMaxNN/torch": ShallowMax,
}


def fan_in_of(module_params, name, p):
    """Elements feeding one output unit: a weight's [out, ...] row; a bias takes its weight's."""
    if name.endswith("weight") and p.dim() > 1:
        return p[0].numel()
    weight = module_params.get(name[: -len("bias")] + "weight")
    if weight is not None and weight.dim() > 1:
        return weight[0].numel()
    return 1  # batch norm: one value per channel


def sig(x, digits=6):
    return None if x is None else float(f"{x:.{digits}g}")


def stats(sums):
    n, s1, s2, s4, s6, s8, mx = sums
    m1, m2, m4, m6, m8 = s1 / n, s2 / n, s4 / n, s6 / n, s8 / n
    std = math.sqrt(max(m2 - m1 * m1, 0.0))
    kurt = se = None
    if m2 > 0:
        kurt = m4 / m2**2
        # Delta method for m4 / m2^2 (moments about 0): var = (1/n) grad' Cov(w^2, w^4) grad.
        g2, g4 = -2 * m4 / m2**3, 1 / m2**2
        var = g2 * g2 * (m4 - m2 * m2) + 2 * g2 * g4 * (m6 - m2 * m4) + g4 * g4 * (m8 - m4 * m4)
        se = math.sqrt(max(var, 0.0) / n)
    return {"n": n, "mean": sig(m1), "std": sig(std), "maxAbs": sig(mx, 9), "kurtosis": sig(kurt), "kurtosisSe": sig(se, 3)}


def main():
    torch.set_num_threads(1)
    out = {
        "generatedBy": f"{COMMAND} (PyTorch {torch.__version__}, {SEEDS} seeds: torch.manual_seed(0..{SEEDS - 1}) before each network)",
        "torchVersion": torch.__version__,
        "seeds": SEEDS,
        "networks": {},
    }
    for key, build in NETWORKS.items():
        sums = {}
        shapes = {}
        fans = {}
        for seed in range(SEEDS):
            torch.manual_seed(seed)
            net = build()
            named = dict(net.named_parameters())
            for name, p in named.items():
                w = p.detach().double().flatten()
                w2 = w * w
                w4 = w2 * w2
                row = (w.numel(), float(w.sum()), float(w2.sum()), float(w4.sum()), float((w4 * w2).sum()), float((w4 * w4).sum()), float(w.abs().max()))
                if name not in sums:
                    sums[name] = list(row)
                    shapes[name] = list(p.shape)
                    fans[name] = fan_in_of(named, name, p)
                else:
                    acc = sums[name]
                    for i in range(6):
                        acc[i] += row[i]
                    acc[6] = max(acc[6], row[6])
            del net
        out["networks"][key] = [{"name": name, "shape": shapes[name], "fanIn": fans[name], **stats(acc)} for name, acc in sums.items()]
        print(f"{key}: {len(sums)} tensors", file=sys.stderr)
    with open(OUT, "w") as f:
        f.write("{\n")
        head = [f'  "{k}": {json.dumps(out[k])}' for k in ("generatedBy", "torchVersion", "seeds")]
        f.write(",\n".join(head) + ',\n  "networks": {\n')
        nets = []
        for key, rows in out["networks"].items():
            body = ",\n".join(f"      {json.dumps(r)}" for r in rows)
            nets.append(f'    "{key}": [\n{body}\n    ]')
        f.write(",\n".join(nets) + "\n  }\n}\n")
    print(f"wrote {os.path.relpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
