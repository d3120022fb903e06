"""Writes test/fixtures/resnet-stride-padding.json: a tiny ResNet (depth 8, width 4, 2 input
channels, 3 classes) of bench/convnet_torch.py with random weights and batch-norm statistics, in
the library's variable names and layouts, three 8x8 inputs (NHWC) and PyTorch's inference-mode
logits under each stride padding. test/models/convnet.test.ts loads the weights into the
library's ResNet and checks that `stridePadding` 'symmetric' computes PyTorch's padding=1 and
'same' TensorFlow's — and that the two differ.

    /usr/bin/python3 scripts/padding_fixture.py    # a second, 1 thread
"""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
sys.path.insert(0, HERE)
from convnet_torch import ResNet  # noqa: E402
from step_parity import to_library, torch_names  # noqa: E402

OUT = os.path.join(HERE, "..", "test", "fixtures", "resnet-stride-padding.json")


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    depth, width, channels, classes = 8, 4, 2, 3
    nets = {p: ResNet(depth, classes, channels=channels, width=width, init="torch", stride_padding=p) for p in ("symmetric", "same")}
    state = nets["symmetric"].state_dict()
    with torch.no_grad():
        # Batch norm away from its identity start, so that a misplaced statistic shows.
        for name, t in state.items():
            if name.endswith("running_mean") or name.endswith(".bias"):
                t.copy_(torch.randn_like(t) * 0.3)
            elif name.endswith("running_var"):
                t.copy_(torch.rand_like(t) + 0.5)
            elif name.endswith(".weight") and t.dim() == 1:
                t.copy_(torch.rand_like(t) + 0.5)
    nets["same"].load_state_dict(state)
    x = torch.randn(3, channels, 8, 8)
    logits = {}
    for p, net in nets.items():
        net.eval()
        with torch.no_grad():
            logits[p] = net(x).numpy().astype(float).round(7).tolist()
    weights = {}
    for lib, pt, kind in torch_names(depth):
        a = to_library(state[pt].detach().numpy(), kind)
        weights[lib] = {"shape": list(a.shape), "values": a.astype(float).round(8).ravel().tolist()}
    out = {
        "generatedBy": f"/usr/bin/python3 scripts/padding_fixture.py (PyTorch {torch.__version__})",
        "network": {"depth": depth, "width": width, "channels": channels, "classes": classes, "batchNormEps": 1e-5},
        "input": {"shape": [3, 8, 8, channels], "values": x.numpy().transpose(0, 2, 3, 1).astype(float).round(8).ravel().tolist()},
        "weights": weights,
        "logits": logits,
    }
    with open(OUT, "w") as f:
        json.dump(out, f)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
