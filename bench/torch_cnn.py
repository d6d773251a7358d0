#!/usr/bin/env python3
"""PyTorch peer for `nas-studio bench`: the reference CNN on one thread, timed in rounds the bench asks for.

Protocol (one JSON object per line on stdout):
  start-up  -> {"ready": true, "torch": VERSION, "blas": NAME, "threads": 1}
  stdin "train STEPS"  -> trains STEPS batches, replies {"steps": STEPS, "ms": WALL_MS, "cpu_ms": CPU_MS, "loss": LAST_LOSS}
  stdin "quit" or EOF  -> exits
Taking commands lets the bench interleave our rounds with PyTorch's, so both see the same CPU contention.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def blas_name():
    """Which BLAS torch's matmuls go through; the netlib reference one is ~30x slower than OpenBLAS."""
    try:
        with open("/proc/self/maps") as f:
            libs = {os.path.basename(line.split()[-1]) for line in f if ".so" in line}
        for lib in sorted(libs):
            if "openblas" in lib or "mkl" in lib or "blis" in lib:
                return lib
        return next((lib for lib in sorted(libs) if lib.startswith("libblas")), "unknown")
    except OSError:
        return "unknown"


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"))
    x_all = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y_all = torch.from_numpy(labels.astype(np.int64))

    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(y_all))
    cursor = 0

    def step():
        nonlocal cursor, order
        if cursor + batch > len(order):
            order, cursor = torch.randperm(len(y_all)), 0
        idx = order[cursor : cursor + batch]
        cursor += batch
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x_all[idx]), y_all[idx])
        loss.backward()
        opt.step()
        return loss

    step()  # first-call allocations and oneDNN primitive creation stay out of every round
    # Loaded before the first matmul ran, the BLAS library shows up in the process map only now.
    print(json.dumps({"ready": True, "torch": torch.__version__, "blas": blas_name(), "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        steps = int(cmd[1])
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(steps):
            loss = step()
        last = float(loss.item())
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu_start) * 1000
        print(json.dumps({"steps": steps, "ms": ms, "cpu_ms": cpu_ms, "loss": last}), flush=True)


if __name__ == "__main__":
    main()
