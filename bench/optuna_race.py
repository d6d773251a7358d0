#!/usr/bin/env python3
"""Optuna + PyTorch arm of `npm run bench:race`: one search on Fashion-MNIST under a wall-clock budget.

    optuna_race.py --data DIR --split FILE --budget SECONDS --seed N --sampler tpe|random
                   [--pruner hyperband|none] [--workers 2] [--out DIR]

The space, the data split (the caller's JSON {train, val} of indices into the train file: NAS Studio's own) and the
budget are the race's. Each worker is a process with one PyTorch thread; the workers share one study through a
SQLite file, as Optuna's documentation does for parallel searches. The clock starts when this script starts, so
its imports and data loading count, as a NAS Studio run's worker start-up does.

The budget is a hard cut, the same rule as NAS Studio's: at the deadline a running trial drops its partial epoch
and counts with its full epochs (as a completed trial, its value its best epoch's); one with no full epoch counts
as pruned. A trial's value is its best epoch's validation accuracy and its kept weights are that epoch's, so the
model a user gets scores what the study says. The test set (t10k) is read only after the budget, to evaluate each
trial that was the study's best at some point: that gives the time the answer first reached a test accuracy.

Progress goes to stderr; the last stdout line is one JSON object (see `summary` below).
"""
import argparse
import gzip
import json
import math
import multiprocessing as mp
import os
import sys
import time

import numpy as np

T0 = time.time()


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(data_dir, split_file):
    """The training and validation samples NAS Studio's loader picks (indices into the train file), scaled by 1/255."""
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    with open(split_file) as f:
        split = json.load(f)
    train, val = np.array(split["train"], dtype=np.int64), np.array(split["val"], dtype=np.int64)
    return images[train], labels[train], images[val], labels[val]


def build(params):
    from torch import nn

    layers, channels, side = [], 1, 28
    for b in range(params["blocks"]):
        f, k = params[f"filters_{b}"], params[f"kernel_{b}"]
        layers += [nn.Conv2d(channels, f, k, padding=k // 2), nn.ReLU(), nn.MaxPool2d(2)]
        channels, side = f, side // 2
    layers += [nn.Flatten(), nn.Linear(channels * side * side, params["dense"]), nn.ReLU(), nn.Dropout(params["dropout"]), nn.Linear(params["dense"], 10)]
    return nn.Sequential(*layers)


def suggest(trial):
    """The race's space: 1-3 conv blocks (filters, kernel each), dense, dropout, Adam's learning rate, batch."""
    p = {"blocks": trial.suggest_int("blocks", 1, 3)}
    for b in range(p["blocks"]):
        p[f"filters_{b}"] = trial.suggest_categorical(f"filters_{b}", [16, 32, 64])
        p[f"kernel_{b}"] = trial.suggest_categorical(f"kernel_{b}", [3, 5])
    p["dense"] = trial.suggest_categorical("dense", [64, 128, 256])
    p["dropout"] = trial.suggest_float("dropout", 0.0, 0.5)
    p["lr"] = trial.suggest_float("lr", 1e-4, 1e-2, log=True)
    p["batch"] = trial.suggest_categorical("batch", [64, 128])
    return p


def accuracy(model, x, y, batch=128):
    """Batches of 128: larger ones run several times slower on one thread here (activations outgrow the caches)."""
    import torch

    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            out = model(x[i : i + batch])
            loss += torch.nn.functional.cross_entropy(out, y[i : i + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[i : i + batch]).sum().item()
    model.train()
    return correct / len(y), loss / len(y)


def worker(args, index, data, deadline):
    import optuna
    import torch
    from torch_peer import keep_freed_memory

    # Without it every large activation is mmap'd and unmapped each step (see torch_peer.py): a 600 s race ran
    # 4 Optuna trials instead of the 25 PyTorch trains here at its real speed.
    keep_freed_memory()
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    xtr, ytr, xva, yva = (torch.from_numpy(a) for a in data)
    xtr, xva = xtr.unsqueeze(1), xva.unsqueeze(1)
    weights_dir = os.path.join(args.out, "weights")
    log = open(os.path.join(args.out, f"worker{index}.jsonl"), "a")
    storage = optuna.storages.RDBStorage(f"sqlite:///{os.path.join(args.out, 'study.db')}", engine_kwargs={"connect_args": {"timeout": 60}})
    # Each process draws its own random numbers: with one seed, both would propose the same start-up trials.
    sampler = optuna.samplers.TPESampler(seed=args.seed * 100 + index) if args.sampler == "tpe" else optuna.samplers.RandomSampler(seed=args.seed * 100 + index)
    study = optuna.load_study(study_name="race", storage=storage, sampler=sampler, pruner=make_pruner(args))
    gen = torch.Generator().manual_seed(args.seed * 100 + index)

    def objective(trial):
        p = suggest(trial)
        torch.manual_seed(args.seed * 100_003 + trial.number)
        model = build(p)
        opt = torch.optim.Adam(model.parameters(), lr=p["lr"])
        loss_fn = torch.nn.CrossEntropyLoss()
        best, best_state, epochs, n = -1.0, None, 0, len(ytr)
        for epoch in range(args.epochs):
            order = torch.randperm(n, generator=gen)
            cut = False
            for i in range(0, n, p["batch"]):
                if time.time() >= deadline:
                    cut = True
                    break
                idx = order[i : i + p["batch"]]
                opt.zero_grad(set_to_none=True)
                loss_fn(model(xtr[idx]), ytr[idx]).backward()
                opt.step()
            if cut:
                break
            acc, vloss = accuracy(model, xva, yva, p["batch"])
            epochs += 1
            log.write(json.dumps({"t": time.time() - T0, "trial": trial.number, "epoch": epoch, "val_accuracy": acc, "val_loss": vloss}) + "\n")
            log.flush()
            if acc > best:
                best, best_state = acc, {k: v.clone() for k, v in model.state_dict().items()}
            trial.report(acc, epoch)
            if trial.should_prune():
                record(log, trial, p, epochs, best, "pruned")
                raise optuna.TrialPruned()
        if epochs == 0:
            record(log, trial, p, epochs, None, "cut")
            raise optuna.TrialPruned()
        torch.save({"params": p, "state": best_state}, os.path.join(weights_dir, f"trial{trial.number}.pt"))
        record(log, trial, p, epochs, best, "cut" if epochs < args.epochs else "completed")
        return best

    def stop_at_deadline(study, _trial):
        if time.time() >= deadline:
            study.stop()

    study.optimize(objective, callbacks=[stop_at_deadline])


def record(log, trial, p, epochs, value, state):
    log.write(json.dumps({"t": time.time() - T0, "trial": trial.number, "end": state, "epochs": epochs, "value": value, "params": p}) + "\n")
    log.flush()


def make_pruner(args):
    import optuna

    if args.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=args.epochs, reduction_factor=3)
    return optuna.pruners.NopPruner()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--split", required=True)
    ap.add_argument("--budget", type=float, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sampler", choices=["tpe", "random"], default="tpe")
    ap.add_argument("--pruner", choices=["hyperband", "none"], default="hyperband")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    deadline = T0 + args.budget
    os.makedirs(os.path.join(args.out, "weights"), exist_ok=True)
    data = load_split(args.data, args.split)

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(f"sqlite:///{os.path.join(args.out, 'study.db')}")
    optuna.create_study(study_name="race", storage=storage, direction="maximize")
    # fork: the children inherit the decoded data instead of decoding it again.
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=worker, args=(args, i, data, deadline)) for i in range(args.workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    seconds = time.time() - T0
    print(json.dumps(summary(args, seconds)), flush=True)


def summary(args, seconds):
    """Every trial's end, the study's best over time (completed trials, as study.best_trial), and test accuracy."""
    import torch

    torch.set_num_threads(max(1, args.workers))
    events = []
    for i in range(args.workers):
        with open(os.path.join(args.out, f"worker{i}.jsonl")) as f:
            events += [json.loads(line) for line in f]
    events.sort(key=lambda e: e["t"])
    ends = [e for e in events if "end" in e]
    epochs = sum(1 for e in events if "epoch" in e)
    timeline, best = [], None
    for e in ends:
        if e["end"] == "pruned" or e["value"] is None:
            continue
        if best is None or e["value"] > best["value"]:
            best = e
            timeline.append({"t": e["t"], "trial": e["trial"], "val_accuracy": e["value"]})
    images = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    labels = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    xte, yte = torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels)
    for point in timeline:
        saved = torch.load(os.path.join(args.out, "weights", f"trial{point['trial']}.pt"))
        model = build(saved["params"])
        model.load_state_dict(saved["state"])
        point["test_accuracy"], point["test_loss"] = accuracy(model, xte, yte)
    last = timeline[-1] if timeline else None
    return {
        "name": f"optuna-{args.sampler}" + ("+hyperband" if args.pruner == "hyperband" else ""),
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "budget": args.budget,
        "trials": len(ends),
        "completed": sum(1 for e in ends if e["end"] == "completed"),
        "pruned": sum(1 for e in ends if e["end"] == "pruned"),
        "cut": sum(1 for e in ends if e["end"] == "cut"),
        "epochs": epochs,
        "best": None if last is None else {**last, "params": best["params"], "epochs": best["epochs"]},
        "timeline": timeline,
        "optuna": __import__("optuna").__version__,
        "torch": torch.__version__,
    }


if __name__ == "__main__":
    sys.exit(main())
