#!/usr/bin/env python3
"""PyTorch peer for `nas-studio bench`: any suite network, built from the same architecture JSON the builder
reads (bench/suite.ts), trained on one thread in rounds the bench asks for.

Protocol: one JSON object per line each way.
  start-up                       -> {"ready": true, "torch": VERSION, "blas": NAME, "threads": 1, "malloc": SETTING}
  {"cmd": "build", "arch": A, "input": [28, 28, 1], "classes": 10, "batch": B, "train": true}
                                 -> {"params": TRAINABLE_PARAMETERS}; with "train", Adam 1e-3 is set up and one
                                    warm-up step runs (first-call allocations stay out of every round)
  {"cmd": "train", "steps": N}   -> {"steps": N, "ms": WALL_MS, "cpu_ms": CPU_MS, "loss": LAST_LOSS,
                                    "page_faults": MINOR_FAULTS_IN_THE_ROUND}
  {"cmd": "quit"} or EOF         -> exits
Taking commands lets the bench interleave our rounds with PyTorch's, so both see the same CPU contention.

Layer semantics follow Keras (what tfjs builds): 'same' padding as TensorFlow computes it, batch norm with
epsilon 1e-3 and momentum 0.99, average pooling that leaves padding out of the mean, a dense head (softmax folded
into the loss). Shapes are tracked Keras-style ([H, W, C], [T, F] or [F]); tensors run as NCHW, PyTorch's native
layout. A new layer type is one function in LAYERS.
"""
import ctypes
import gzip
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "relu6": nn.ReLU6,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "swish": nn.SiLU,
    "softplus": nn.Softplus,
    "linear": nn.Identity,
}


def keep_freed_memory():
    """Stops glibc from handing big freed blocks back to the kernel. By default a block over the (dynamic) mmap
    threshold is mmap'd and munmap'd on free, so every activation of a batch-128 CNN (12.8 MB for 32x28x28) came back
    as fresh zeroed pages: ~9,000 page faults a step, and the reference CNN trained at ~600 samples/s instead of
    ~2,300 (measured 2026-12-03; batch 64 nets escaped it or not depending on which net ran before). The bench
    measures PyTorch at its real speed, as tcmalloc/jemalloc or a long-running trainer would get it. Answers what
    was set, for the ready line."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        # 32 MiB is the largest threshold glibc accepts; a fixed one also turns its dynamic adjustment off.
        ok = libc.mallopt(m_mmap_threshold, 32 << 20) == 1 and libc.mallopt(m_trim_threshold, 1 << 30) == 1
        return "glibc: mmap threshold 32 MiB, trim 1 GiB" if ok else "glibc: mallopt refused"
    except (OSError, AttributeError):
        return "default (not glibc)"


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


def same_padding(size, k, s):
    """TensorFlow's 'same': output ceil(size / s), the padding split with the extra row at the end."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


def padding(padding, size, k, s):
    """(output size, symmetric padding PyTorch can take, explicit (before, after) padding when it cannot)."""
    if padding == "valid":
        return (size - k) // s + 1, 0, None
    out, before, after = same_padding(size, k, s)
    # A symmetric pad that gives the same output size costs the same; use it where it exists.
    for p in (before, after):
        if (size + 2 * p - k) // s + 1 == out and p <= k // 2:
            return out, p, None
    return out, 0, (before, after)


def conv(shape, filters, k, s, pad, groups=1, bias=True):
    h, w, c = shape
    oh, ph, eh = padding(pad, h, k, s)
    ow, pw, ew = padding(pad, w, k, s)
    layer = nn.Conv2d(c, filters, k, s, padding=(ph, pw), groups=groups, bias=bias)
    if eh or ew:
        eh, ew = eh or (0, 0), ew or (0, 0)
        layer = nn.Sequential(nn.ZeroPad2d((ew[0], ew[1], eh[0], eh[1])), layer)
    return layer, [oh, ow, filters]


def act(name):
    return ACTIVATIONS[name]()


def conv2d(l, shape):
    layer, out = conv(shape, l["filters"], l["kernelSize"], l["strides"], l["padding"])
    return nn.Sequential(layer, act(l["activation"])), out


def depthwise(l, shape):
    c = shape[2]
    layer, out = conv(shape, c * l["depthMultiplier"], l["kernelSize"], l["strides"], l["padding"], groups=c)
    return nn.Sequential(layer, act(l["activation"])), out


def separable(l, shape, bias=True):
    c = shape[2]
    dw, mid = conv(shape, c * l["depthMultiplier"], l["kernelSize"], l["strides"], l["padding"], groups=c, bias=False)
    pw = nn.Conv2d(mid[2], l["filters"], 1, bias=bias)
    return nn.Sequential(dw, pw, act(l.get("activation", "linear"))), [mid[0], mid[1], l["filters"]]


def pool(l, shape, avg):
    h, w, c = shape
    k, s = l["poolSize"], l["strides"]
    oh, ph, eh = padding(l["padding"], h, k, s)
    ow, pw, ew = padding(l["padding"], w, k, s)
    if eh or ew:
        raise ValueError(f"no PyTorch pooling matches TensorFlow's 'same' padding for {k}x{k}/{s} on {h}x{w}")
    if avg:
        return nn.AvgPool2d(k, s, padding=(ph, pw), count_include_pad=False), [oh, ow, c]
    return nn.MaxPool2d(k, s, padding=(ph, pw)), [oh, ow, c]


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def batch_norm(shape):
    # Keras: epsilon 1e-3, moving averages kept with momentum 0.99 (PyTorch counts momentum the other way).
    kind = nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d
    return kind(shape[-1], eps=1e-3, momentum=0.01)


def dense(l, shape):
    # On a sequence [T, F], Keras's dense works on each step's features, as nn.Linear does on the last axis.
    if len(shape) > 2:
        raise ValueError(f"dense on a rank-{len(shape)} input is not in the peer yet")
    return nn.Sequential(nn.Linear(shape[-1], l["units"]), act(l["activation"])), [*shape[:-1], l["units"]]


class Recurrent(nn.Module):
    """Keras's LSTM or SimpleRNN over [N, T, F] (batch first). Keras has one bias per gate, PyTorch two: the
    hidden-side bias is held at zero and frozen, so the function and the trainable parameters are Keras's."""

    def __init__(self, l, shape):
        super().__init__()
        kind = l["type"]
        if kind == "gru":
            raise ValueError("no PyTorch twin for tfjs's GRU (it resets before the recurrent product; PyTorch after)")
        bidirectional = l["bidirectional"]
        if kind == "lstm":
            if l["activation"] != "tanh":
                raise ValueError(f"PyTorch's LSTM has tanh only, not {l['activation']}")
            self.rnn = nn.LSTM(shape[-1], l["units"], batch_first=True, bidirectional=bidirectional)
        else:
            if l["activation"] not in ("tanh", "relu"):
                raise ValueError(f"PyTorch's RNN has tanh or relu only, not {l['activation']}")
            self.rnn = nn.RNN(shape[-1], l["units"], nonlinearity=l["activation"], batch_first=True, bidirectional=bidirectional)
        for name, p in self.rnn.named_parameters():
            if name.startswith("bias_hh"):
                nn.init.zeros_(p)
                p.requires_grad_(False)
        self.sequences = l["returnSequences"]
        units = l["units"] * (2 if bidirectional else 1)
        self.out = [shape[0], units] if self.sequences else [units]

    def forward(self, x):
        y, state = self.rnn(x)
        if self.sequences:
            return y
        h = state[0] if isinstance(state, tuple) else state
        # The last hidden state of each direction (the backward one ends at step 0), forward first, as Keras.
        return torch.cat(list(h), dim=1)


def recurrent(l, shape):
    mod = Recurrent(l, shape)
    return mod, mod.out


def sinusoid_table(steps, width):
    """src/engine/layers/positional.ts's table: sin on even features, cos on odd, interleaved."""
    p = torch.arange(steps, dtype=torch.float32)[:, None]
    i = torch.arange(width)
    angle = p / torch.pow(10000.0, (2 * (i // 2)).float() / width)
    return torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle))


class Positional(nn.Module):
    def __init__(self, kind, shape):
        super().__init__()
        if kind == "learned":
            self.table = nn.Parameter(torch.empty(*shape).uniform_(-0.05, 0.05))
        else:
            self.register_buffer("table", sinusoid_table(*shape))

    def forward(self, x):
        return x + self.table


def encoder(l, shape):
    """src/engine/sequenceBuilder.ts's transformerEncoder: PyTorch's encoder layer, Keras's layer-norm epsilon.
    PyTorch also drops attention weights and the feed-forward's hidden units; equal only at dropout 0."""
    d = shape[-1]
    h = l["heads"]
    if l.get("keySize") not in (None, d // h) or d % h:
        raise ValueError(f"PyTorch's encoder layer needs heads x keySize = width ({d})")
    layer = nn.TransformerEncoderLayer(
        d, h, dim_feedforward=l["feedForward"], dropout=l["dropout"], activation=l["activation"],
        layer_norm_eps=1e-3, batch_first=True, norm_first=l["normFirst"],
    )
    return layer, shape


class GlobalPool1d(nn.Module):
    def __init__(self, avg):
        super().__init__()
        self.avg = avg

    def forward(self, x):
        return x.mean(dim=1) if self.avg else x.amax(dim=1)


def flatten(_l, shape):
    return (nn.Flatten() if len(shape) > 1 else nn.Identity()), [math.prod(shape)]


LAYERS = {
    "conv2d": conv2d,
    "depthwiseConv2d": depthwise,
    "separableConv2d": separable,
    "maxPooling2d": lambda l, s: pool(l, s, avg=False),
    "averagePooling2d": lambda l, s: pool(l, s, avg=True),
    "globalAveragePooling2d": lambda _l, s: (GlobalAvgPool(), [s[2]]),
    "batchNormalization": lambda _l, s: (batch_norm(s), s),
    "flatten": flatten,
    "dense": dense,
    "dropout": lambda l, s: (nn.Dropout(l["rate"]), s),
    "activation": lambda l, s: (act(l["activation"]), s),
    "lstm": recurrent,
    "simpleRnn": recurrent,
    "gru": recurrent,
    "positionalEmbedding": lambda l, s: (Positional(l["kind"], s), s),
    "transformerEncoder": encoder,
    "layerNormalization": lambda _l, s: (nn.LayerNorm(s[-1], eps=1e-3), s),
    "globalAveragePooling1d": lambda _l, s: (GlobalPool1d(avg=True), [s[-1]]),
    "globalMaxPooling1d": lambda _l, s: (GlobalPool1d(avg=False), [s[-1]]),
}


def conv_bn(shape, c, k, s):
    layer, out = conv(shape, c, k, s, "same", bias=False)
    return nn.Sequential(layer, batch_norm(out)), out


def cell_op(op, shape):
    """NAS-Bench-201's ReLU-Conv-BN operations, stride 1, shape kept (src/engine/builder.ts cellOp)."""
    c = shape[2]
    if op == "skip":
        return nn.Identity()
    if op in ("conv1x1", "conv3x3"):
        return nn.Sequential(nn.ReLU(), conv_bn(shape, c, 1 if op == "conv1x1" else 3, 1)[0])
    if op == "sepConv3x3":
        sep, _ = separable({"filters": c, "kernelSize": 3, "strides": 1, "padding": "same", "depthMultiplier": 1}, shape, bias=False)
        return nn.Sequential(nn.ReLU(), sep, batch_norm(shape))
    if op in ("avgPool3x3", "maxPool3x3"):
        return pool({"poolSize": 3, "strides": 1, "padding": "same"}, shape, avg=op == "avgPool3x3")[0]
    raise ValueError(f"unknown cell operation {op}")


class Cell(nn.Module):
    """Node j sums its incoming edges' operations; `edges` are the live ones only (the bench sends those)."""

    def __init__(self, nodes, edges, shape):
        super().__init__()
        self.nodes = nodes
        self.edges = [(e["from"], e["to"]) for e in edges]
        self.ops = nn.ModuleList(cell_op(e["op"], shape) for e in edges)

    def forward(self, x):
        node = [x] + [None] * (self.nodes - 1)
        for j in range(1, self.nodes):
            ins = [op(node[a]) for (a, b), op in zip(self.edges, self.ops) if b == j]
            if ins:
                node[j] = sum(ins[1:], ins[0])
        return node[-1]


class Reduction(nn.Module):
    """ResNet basic block, stride 2, channels doubled (src/engine/builder.ts reduction)."""

    def __init__(self, shape, c):
        super().__init__()
        a, mid = conv_bn(shape, c, 3, 2)
        b, out = conv_bn(mid, c, 3, 1)
        self.residual = nn.Sequential(nn.ReLU(), a, nn.ReLU(), b)
        pooled = pool({"poolSize": 2, "strides": 2, "padding": "same"}, shape, avg=True)[0]
        self.shortcut = nn.Sequential(pooled, nn.Conv2d(shape[2], c, 1, bias=False))
        self.out = out

    def forward(self, x):
        return self.residual(x) + self.shortcut(x)


def cell_body(arch, shape):
    c = arch["channels"]
    stem, shape = conv_bn(shape, c, 3, 1)
    mods = [stem]
    for s in range(arch["stages"]):
        if s > 0:
            c *= 2
            red = Reduction(shape, c)
            mods.append(red)
            shape = red.out
        mods += [Cell(arch["nodes"], arch["edges"], shape) for _ in range(arch["cells"])]
    mods += [nn.ReLU(), GlobalAvgPool()]
    return mods, [c]


def build(arch, input_shape, classes):
    shape = list(input_shape)
    if arch["kind"] == "cell":
        mods, shape = cell_body(arch, shape)
    else:
        mods = []
        for l in arch["layers"]:
            mod, shape = LAYERS[l["type"]](l, shape)
            mods.append(mod)
    if len(shape) > 1:
        mods.append(nn.Flatten())
    mods.append(nn.Linear(math.prod(shape), classes))
    return nn.Sequential(*mods)


def to_layout(x, input_shape):
    """Flat [N, 784] images -> the network's input: NCHW for images, [N, ...] otherwise."""
    x = x.reshape(len(x), *input_shape)
    return x.permute(0, 3, 1, 2).contiguous() if len(input_shape) == 3 else x.contiguous()


def main():
    malloc = keep_freed_memory()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    data = {}

    def dataset():
        if not data:
            images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
            data["x"] = torch.from_numpy(images.astype(np.float32) / 255.0).reshape(len(images), -1)
            data["y"] = torch.from_numpy(read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64))
        return data["x"], data["y"]

    torch.ones(8, 8) @ torch.ones(8, 8)  # loads the BLAS library, so the process map names it
    print(json.dumps({"ready": True, "torch": torch.__version__, "blas": blas_name(), "threads": torch.get_num_threads(), "malloc": malloc}), flush=True)
    step = None
    for line in sys.stdin:
        msg = json.loads(line) if line.strip() else {"cmd": "quit"}
        if msg["cmd"] == "quit":
            break
        try:
            step = handle(msg, dataset, step)
        except (ValueError, KeyError, RuntimeError) as e:
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)


def handle(msg, dataset, step):
    """Answers one command; returns the training step the next `train` commands use."""
    if msg["cmd"] == "build":
        torch.manual_seed(0)
        model = build(msg["arch"], msg["input"], msg["classes"])
        params = sum(p.numel() for p in model.parameters() if p.requires_grad)
        if msg.get("train"):
            x_flat, y_all = dataset()
            step = trainer(model, to_layout(x_flat, msg["input"]), y_all, msg["batch"])
            step()
        print(json.dumps({"params": params}), flush=True)
    elif msg["cmd"] == "train":
        if step is None:
            raise ValueError("train before build")
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(msg["steps"]):
            loss = step()
        last = float(loss.item())
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu_start) * 1000
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
        print(json.dumps({"steps": msg["steps"], "ms": ms, "cpu_ms": cpu_ms, "loss": last, "page_faults": faults}), flush=True)
    else:
        raise ValueError(f"unknown command {msg['cmd']}")
    return step


def trainer(model, x_all, y_all, batch):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    state = {"order": torch.randperm(len(y_all)), "cursor": 0}

    def step():
        if state["cursor"] + batch > len(y_all):
            state["order"], state["cursor"] = torch.randperm(len(y_all)), 0
        idx = state["order"][state["cursor"] : state["cursor"] + batch]
        state["cursor"] += batch
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x_all[idx]), y_all[idx])
        loss.backward()
        opt.step()
        return loss

    return step


if __name__ == "__main__":
    main()
