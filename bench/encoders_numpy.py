"""The NumPy peer of bench/encoders.ts: the same six signals on the same uint8 batch.

Prints one JSON line: { signal: { "bare": [ms...], "checked": [ms...] } }. "bare" is the plain
NumPy operation; "checked" adds the checks the library makes at its boundary (every value finite,
labels integral and in range), as a NumPy function with the same contract would.

    /usr/bin/python3 bench/encoders_numpy.py <uint8 file> <n> <reps>
"""
import json
import sys
import time

import numpy as np

path, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
x = (np.fromfile(path, dtype=np.uint8).astype(np.float32) / np.float32(255)).reshape(n, 32, 32, 3)
y = np.arange(n) % 10
K, scale, h, w = 10, 1e-3, 32, 32
rng = np.random.default_rng(0)


def one_pixel(x):
    out = x.copy()
    out[:, 0, 0, :] = (y * scale).astype(np.float32)[:, None]
    return out


def pattern_pixels(x):
    out = x.copy()
    for k, (r, c) in enumerate([(0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1)]):
        out[:, r, c, :] = (((y >> k) & 1) * scale).astype(np.float32)[:, None]
    return out


def random_pixel(x):
    out = x.copy()
    p = rng.integers(0, h * w, size=n)
    out[np.arange(n), p // w, p % w, :] = ((y + 1) * scale).astype(np.float32)[:, None]
    return out


def multiple_locations(x):
    out = x.copy()
    cells = rng.permutation(h * w)[: 2 * K].reshape(K, 2)
    v = (rng.integers(1, 256, size=n) / 255).astype(np.float32)[:, None]
    a, b = cells[y, 0], cells[y, 1]
    idx = np.arange(n)
    out[idx, a // w, a % w, :] = v
    out[idx, b // w, b % w, :] = v
    return out


def orthogonal_noise(x):
    d = h * w * 3
    q, _ = np.linalg.qr(rng.standard_normal((d, K)))
    v = (q.T * (scale * np.sqrt(d))).astype(np.float32).reshape(K, h, w, 3)
    return x + v[y]


def mean_shift(x):
    m = x.mean(axis=(1, 2, 3), dtype=np.float64)
    return x - (m - y * scale).astype(np.float32)[:, None, None, None]


def checks(x):
    if not np.isfinite(x).all():
        raise ValueError("non-finite")
    if not (np.issubdtype(y.dtype, np.integer) and (y >= 0).all() and (y < K).all()):
        raise ValueError("labels")


signals = {
    "onePixel": one_pixel,
    "patternPixels": pattern_pixels,
    "randomPixel": random_pixel,
    "multipleLocations": multiple_locations,
    "orthogonalNoise": orthogonal_noise,
    "meanShift": mean_shift,
}
result = {}
for name, f in signals.items():
    bare, checked = [], []
    for _ in range(reps):
        t = time.perf_counter()
        out = f(x)
        bare.append((time.perf_counter() - t) * 1e3)
        del out
        t = time.perf_counter()
        checks(x)
        out = f(x)
        checked.append((time.perf_counter() - t) * 1e3)
        del out
    result[name] = {"bare": bare, "checked": checked}
print(json.dumps(result))
