"""PyTorch CPU peer of bench/convnet.ts: the same ResNet (He et al. 2016, option-A shortcuts) and
Zhang et al.'s small char-CNN, trained with SGD momentum 0.9 / weight decay 1e-4 on random data
for a fixed number of steps. Prints one JSON line per network: images per second.

--mode infer times eval() + no_grad forward passes (argmax) over batches of --infer-batch instead.

Usage: /usr/bin/python3 bench/convnet_torch.py --threads 2 --steps 5 --resnet-depth 20 --batch 128 [--mode infer]
"""
import argparse, json, math, resource, time
import torch
import torch.nn as nn
import torch.nn.functional as F


# How a stride-2 convolution pads (the library's ResNet option `stridePadding`): 'symmetric' is
# PyTorch's padding=1, the window of output i centred on input 2i, where option A's shortcut
# samples; 'same' is TensorFlow's (and the library's default): the total padding of 1 all after,
# so the window is centred on input 2i + 1, one pixel off the shortcut's sample.
STRIDE_PADDINGS = ("symmetric", "same")


class Block(nn.Module):
    def __init__(self, cin, cout, stride, stride_padding="symmetric"):
        super().__init__()
        if stride_padding not in STRIDE_PADDINGS:
            raise ValueError(f"stride_padding: expected one of {', '.join(STRIDE_PADDINGS)}, got {stride_padding!r}")
        # 'same' at stride 2: pad 0 before and 1 after by hand (Conv2d's padding is symmetric).
        self.same = stride != 1 and stride_padding == "same"
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 0 if self.same else 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.stride, self.pad = stride, cout - cin

    def forward(self, x):
        y = F.relu(self.b1(self.c1(F.pad(x, (0, 1, 0, 1)) if self.same else x)))
        y = self.b2(self.c2(y))
        s = x
        if self.stride != 1 or self.pad:
            s = x[:, :, ::self.stride, ::self.stride]
            s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(y + s)


# The library's `init` option (src/models/tfjs/trainOptions.ts, TrainOptions.init) for the
# convolutions, fan_in = input channels x kernel height x width:
INITS = ("he", "he-uniform", "torch", "torch-normal")


def check_init(init, scale):
    """Refuses an init the library does not have for a ResNet, or a scale that is not > 0."""
    if init not in INITS:
        raise ValueError(f"init: expected one of {', '.join(INITS)}, got {init!r}")
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"init_scale: expected a finite number > 0, got {scale!r}")


def init_conv_(weight, init="torch", scale=1.0):
    """Draws a convolution's `weight` in place as the library's `init` draws a kernel, then
    multiplies it by `scale` (its `initScale`). 'he': normal, std sqrt(2 / fan_in); 'he-uniform':
    uniform in +-sqrt(6 / fan_in); 'torch': PyTorch's default as the module drew it, uniform in
    +-1 / sqrt(fan_in) (kaiming_uniform_ with a = sqrt(5)), left as it is; 'torch-normal': normal,
    std 1 / sqrt(3 fan_in), PyTorch's std. Only 'he', 'he-uniform' and 'torch-normal' draw."""
    check_init(init, scale)
    fan_in = weight[0].numel()
    with torch.no_grad():
        if init == "he":
            nn.init.kaiming_normal_(weight, mode="fan_in", nonlinearity="relu")
        elif init == "he-uniform":
            nn.init.kaiming_uniform_(weight, mode="fan_in", nonlinearity="relu")
        elif init == "torch-normal":
            nn.init.normal_(weight, 0.0, 1.0 / math.sqrt(3 * fan_in))
        if scale != 1.0:
            weight.mul_(scale)
    return weight


class ResNet(nn.Module):
    """He et al.'s CIFAR ResNet at `width`, 2 `width`, 4 `width`. `init` and `init_scale`: how the
    convolutions (no bias) are drawn, as the library's ResNet options `init` and `initScale`
    (see init_conv_); the default 'torch' is PyTorch's own. The linear layer and batch norm keep
    PyTorch's defaults, as the library's. The draws after the modules' own are made in module order
    (init 'he' draws the same numbers as the former he_init=True)."""

    def __init__(self, depth, classes=10, channels=3, width=16, init="torch", init_scale=1.0, stride_padding="symmetric"):
        check_init(init, init_scale)
        super().__init__()
        n = (depth - 2) // 6
        self.conv = nn.Conv2d(channels, width, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        layers, cin = [], width
        for i, c in enumerate([width, 2 * width, 4 * width]):
            for j in range(n):
                layers.append(Block(cin, c, 2 if (i > 0 and j == 0) else 1, stride_padding))
                cin = c
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                init_conv_(m.weight, init, init_scale)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.layers(x)
        return self.fc(x.mean((2, 3)))


class CharCNN(nn.Module):
    """Zhang, Zhao & LeCun 2015, small: 256 features, 1024 fully connected units."""

    def __init__(self, alphabet=70, length=1014, classes=2, features=256, hidden=1024):
        super().__init__()
        k = [7, 7, 3, 3, 3, 3]
        convs, cin = [], alphabet
        for kk in k:
            convs.append(nn.Conv1d(cin, features, kk))
            cin = features
        self.convs = nn.ModuleList(convs)
        out = length
        for i, kk in enumerate(k):
            out = out - kk + 1
            if i in (0, 1, 5):
                out //= 3
        self.fc1 = nn.Linear(out * features, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, classes)

    def forward(self, x):
        for i, c in enumerate(self.convs):
            x = F.relu(c(x))
            if i in (0, 1, 5):
                x = F.max_pool1d(x, 3)
        x = x.flatten(1)
        x = F.dropout(F.relu(self.fc1(x)), 0.5, self.training)
        x = F.dropout(F.relu(self.fc2(x)), 0.5, self.training)
        return self.fc3(x)


def bench(model, x, y, steps, warmup):
    """Training samples/s over the timed steps, the last loss, and minor page faults per timed step."""
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    model.train()
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    dt = time.perf_counter() - t0
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / steps
    return steps * x.shape[0] / dt, float(loss), faults


def bench_infer(model, x, steps, warmup):
    """Inference: eval() (running batch-norm statistics, no dropout) under no_grad, batches of x."""
    model.eval()
    with torch.no_grad():
        for i in range(warmup + steps):
            if i == warmup:
                t0 = time.perf_counter()
            model(x).argmax(1)
    return steps * x.shape[0] / (time.perf_counter() - t0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--resnet-depth", type=int, default=20)
    p.add_argument("--char-batch", type=int, default=128)
    p.add_argument("--nets", default="resnet,charcnn")
    p.add_argument("--mode", default="train", choices=["train", "infer"])
    p.add_argument("--infer-batch", type=int, default=256)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if "resnet" in a.nets:
        m = ResNet(a.resnet_depth)
        params = sum(q.numel() for q in m.parameters())
        if a.mode == "infer":
            ips = bench_infer(m, torch.rand(a.infer_batch, 3, 32, 32), a.steps, a.warmup)
        else:
            x = torch.rand(a.batch, 3, 32, 32)
            y = torch.randint(0, 10, (a.batch,))
            ips, loss, faults = bench(m, x, y, a.steps, a.warmup)
        print(json.dumps({"net": f"resnet{a.resnet_depth}", "batch": a.infer_batch if a.mode == "infer" else a.batch, "params": params, "imagesPerSecond": ips, "threads": a.threads, "mode": a.mode, **({} if a.mode == "infer" else {"faultsPerStep": faults})}), flush=True)
    if "charcnn" in a.nets:
        m = CharCNN()
        params = sum(q.numel() for q in m.parameters())
        if a.mode == "infer":
            ips = bench_infer(m, (torch.rand(a.infer_batch, 70, 1014) < 1 / 70).float(), a.steps, a.warmup)
        else:
            x = (torch.rand(a.char_batch, 70, 1014) < 1 / 70).float()
            y = torch.randint(0, 2, (a.char_batch,))
            ips, loss, faults = bench(m, x, y, a.steps, a.warmup)
        print(json.dumps({"net": "charcnn-small", "batch": a.infer_batch if a.mode == "infer" else a.char_batch, "params": params, "imagesPerSecond": ips, "threads": a.threads, "mode": a.mode, **({} if a.mode == "infer" else {"faultsPerStep": faults})}), flush=True)


if __name__ == "__main__":
    main()
