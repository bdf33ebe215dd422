#!/usr/bin/env python3
"""World-model training throughput: Umwelt (LibTorch, through `umwelt perf train`) against the same
model, loss and optimiser in PyTorch, in one run, interleaved round by round.

The PyTorch side builds the architecture from the config `umwelt perf train --json` reports
(state MLP encoder, residual predictor, state probe; open-loop and teacher-forced latent losses
against the stop-gradient encoder, VICReg, AdamW) and steps it on one batch held in memory, as
Umwelt's in-memory path does. Step time does not depend on the values, so the batch is random.

    python3 bench/train_vs_pytorch.py --umwelt build/cli/umwelt [--threads 2] [--rounds 3]

Needs torch from PyPI (pinned in docs/benchmarks.md); not part of the test suite."""

import argparse
import json
import statistics
import subprocess
import time

import torch
from torch import nn


class Predictor(nn.Module):
    def __init__(self, m, action_size):
        super().__init__()
        z, h = m["latent_dim"], m["predictor_hidden"]
        self.latent = z
        self.inp = nn.Linear(m["history"] * z + m["frameskip"] * action_size, h)
        self.blocks = nn.ModuleList(
            nn.ModuleDict({"fc1": nn.Linear(h, h), "fc2": nn.Linear(h, h)})
            for _ in range(m["predictor_blocks"]))
        self.out = nn.Linear(h, z)

    def forward(self, history, chunk):
        h = nn.functional.gelu(self.inp(torch.cat([history, chunk], 1)))
        for block in self.blocks:
            h = h + block["fc2"](nn.functional.gelu(block["fc1"](h)))
        return history[:, -self.latent:] + self.out(nn.functional.gelu(h))


def mlp(inputs, hidden, layers, out):
    parts, width = [], inputs
    for _ in range(layers):
        parts += [nn.Linear(width, hidden), nn.GELU()]
        width = hidden
    return nn.Sequential(*parts, nn.Linear(width, out))


def vicreg(z):
    var = torch.relu(1 - torch.sqrt(z.var(0) + 1e-4)).mean()
    c = z - z.mean(0)
    cov = c.t() @ c / (z.shape[0] - 1)
    off = cov - torch.diag(torch.diag(cov))
    return var, off.pow(2).sum() / z.shape[1]


def pytorch_rate(config, obs_size, action_size, steps):
    m, loss, train = config["model"], config["loss"], config["train"]
    assert m["input"] == "state" and m["history"] == 1 and loss["target"] == "stopgrad"
    z_dim, K, B = m["latent_dim"], loss["horizon"], train["batch_size"]
    chunk = m["frameskip"] * action_size
    encoder = mlp(obs_size, m["encoder_hidden"], m["encoder_layers"], z_dim)
    predictor = Predictor(m, action_size)
    probe = mlp(z_dim, m["probe_hidden"], 1, obs_size)
    params = [*encoder.parameters(), *predictor.parameters(), *probe.parameters()]
    adam = torch.optim.AdamW(params, lr=train["learning_rate"], weight_decay=train["weight_decay"])
    obs = torch.randn(B, K + 1, obs_size)
    chunks = torch.randn(B, K, chunk)

    def step():
        z = encoder(obs.reshape(B * (K + 1), obs_size)).view(B, K + 1, z_dim)
        target = z.detach()
        imagined, total = z[:, 0], 0.0
        for k in range(K):
            imagined = predictor(imagined, chunks[:, k])
            total = total + (imagined - target[:, k + 1]).pow(2).mean()
        total = loss["open_loop_weight"] * total / K
        forced = predictor(z[:, :K].reshape(B * K, z_dim), chunks.reshape(B * K, chunk))
        total = total + loss["teacher_forcing_weight"] * (
            forced.view(B, K, z_dim) - target[:, 1:]).pow(2).mean()
        var, cov = vicreg(z.reshape(B * (K + 1), z_dim))
        total = total + loss["variance_weight"] * var + loss["covariance_weight"] * cov
        total = total + (probe(z.detach()) - obs).pow(2).mean()
        adam.zero_grad()
        total.backward()
        adam.step()

    step()  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * B / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--umwelt", required=True, help="the umwelt binary")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="optimiser steps per sample")
    parser.add_argument("--data", help="dataset for umwelt (default: one it makes)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    command = [args.umwelt, "perf", "train", "--json", "--threads", str(args.threads),
               "--rounds", "1", "--steps", str(args.steps)]
    if args.data:
        command += ["--data", args.data]
    ours, theirs, ratios, config = [], [], [], None
    for _ in range(args.rounds):
        report = json.loads(subprocess.run(command, check=True, capture_output=True,
                                           text=True).stdout)
        config = report["config"]
        rate = report["in_memory_samples_per_second"]
        pt = pytorch_rate(config, report["obs_size"], report["action_size"], args.steps)
        ours.append(rate)
        theirs.append(pt)
        ratios.append(rate / pt)
    print(json.dumps({
        "torch": torch.__version__, "threads": args.threads, "rounds": args.rounds,
        "batch_size": config["train"]["batch_size"],
        "umwelt_samples_per_second": max(ours), "pytorch_samples_per_second": max(theirs),
        "umwelt_vs_pytorch": statistics.median(ratios)}, indent=2))


if __name__ == "__main__":
    main()
