#!/usr/bin/env python3
"""compare_pytorch.py - PyTorch's time for the 2012 AlexNet next to alexscope's, in one run.

A developer tool (Debian's python3-torch); CI never runs it. Builds the network of
Caffe's bvlc_alexnet in PyTorch (groups 2 in conv2/4/5, LRN after conv1 and conv2, 3x3
stride-2 max pools that round up, 227x227 input; random weights: the time does not depend
on them), times a forward pass at the same thread count and batch, then runs
`alexscope bench --engine both --json` with the same settings and prints the three side by
side with the ratios.

    python3 bench/compare_pytorch.py [--bin build/alexscope] [--threads 2] [--batch 1] [--reps 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch
from torch import nn


def alexnet_2012():
    """bvlc_alexnet's layers, in Caffe's order (as nn/arch.c's alexnet)."""
    lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
    pool = lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True)
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), lrn(), pool(),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), lrn(), pool(),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), pool(),
        nn.Flatten(),
        nn.Linear(256 * 6 * 6, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 1000), nn.Softmax(dim=1),
    ).eval()


def time_torch(threads, batch, reps):
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    net = alexnet_2012()
    x = torch.randn(batch, 3, 227, 227)
    times = []
    with torch.inference_mode():
        assert net(x).shape == (batch, 1000)
        for _ in range(3):  # warm-up
            net(x)
        for _ in range(reps):
            t0 = time.perf_counter()
            net(x)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def time_alexscope(binary, threads, batch, reps):
    cmd = [binary, "bench", "--engine", "both", "--json", "--reps", str(reps), "--batch", str(batch),
           "--threads", str(threads)]
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(r.stdout)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(here, "..", "build", "alexscope"), help="the alexscope binary")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--reps", type=int, default=20)
    a = ap.parse_args()
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"{a.bin}: no alexscope binary there (build it, or give --bin)")

    torch_ms = time_torch(a.threads, a.batch, a.reps)
    ours = time_alexscope(a.bin, a.threads, a.batch, a.reps)
    eng = ours["engines"]
    print(f"2012 AlexNet (groups 2, LRN, ceil pools), 227x227, batch {a.batch}, {a.threads} threads, "
          f"median of {a.reps}")
    print(f"PyTorch {torch.__version__}; alexscope's fast engine: {ours['blas']}\n")
    print(f"{'engine':<22}{'ms per pass':>12}{'ms per image':>14}{'vs PyTorch':>12}")
    rows = [(f"PyTorch", torch_ms)] + [(f"alexscope {k}", v["total_ms"]) for k, v in eng.items()]
    for name, ms in rows:
        print(f"{name:<22}{ms:>12.1f}{ms / a.batch:>14.1f}{ms / torch_ms:>11.2f}x")
    if "fast" in eng:
        print(f"\nfast / PyTorch = {eng['fast']['total_ms'] / torch_ms:.2f} (the issue's target: <= 0.4)")
    else:
        print("\n(this alexscope has no fast engine: built without a BLAS)")


if __name__ == "__main__":
    main()
