#!/usr/bin/env python3
"""UNETR in plain PyTorch, both layouts, for timing against the TorchSharp build on the same machine.

Written for this project from the layout facts in tests/Unetr.Tests/Reference/Files/README.md (not copied from either reference
implementation). Module attribute names follow the layouts' state_dict keys, so a state dict that TorchSharp saved
with PyBridge loads with strict=True: both sides then run the very same weights.

Usage: unetr_torch.py CASE.json           (written by `dotnet run -c Release --project src/Unetr.Benchmarks -- speed`)
         Prints one JSON line: the max |diff| against the TorchSharp output and the median times.
       unetr_torch.py --serve CASE.json   Prints one JSON line (version, threads, max |diff|), then reads commands
         from stdin, one per line: `forward` or `train` runs that workload once and prints its seconds; `train-parts`
         runs a train step and prints the seconds of zero_grad, forward, backward and the optimizer step; `quit` (or end
         of input) stops. The speed report drives this round by round, alternating with TorchSharp.
         `train B` takes a step on the case's batch of size B; `gemm` prints the best GFLOP/s of matmul and of a
         1x1x1 convolution (oneDNN when built with it) and whether oneDNN is available.

The modules are stock PyTorch (nn.Conv3d, nn.ConvTranspose3d, nn.InstanceNorm3d, nn.BatchNorm3d, nn.LayerNorm,
nn.Linear, softmax attention), composed as MONAI composes UNETR and as the seed script composes its network, trained
with stock torch.optim.AdamW and cross-entropy: no tuning of ours runs on this side.
"""
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def attend(q, k, v):
    # PyTorch 1.13 has no scaled_dot_product_attention; this is the plain form both reference codes use.
    scores = torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)
    return torch.matmul(scores.softmax(dim=-1), v)


def split_heads(x, heads):
    b, n, e = x.shape
    return x.view(b, n, heads, e // heads).transpose(1, 2)


def merge_heads(x):
    b, h, n, d = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d)


def to_volume(tokens, grid):
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], *grid)


def run_blocks(hidden, blocks, extract, final_norm):
    states = []
    for index in range(extract[-1]):
        hidden = blocks[index](hidden)
        if index + 1 in extract:
            states.append(hidden)
    if final_norm is not None:
        states[-1] = final_norm(states[-1])
    return states


# ---------------------------------------------------------------- seed layout

class SingleConv(nn.Module):
    def __init__(self, cin, cout, kernel):
        super().__init__()
        self.block = nn.Conv3d(cin, cout, kernel, padding=(kernel - 1) // 2)

    def forward(self, x):
        return self.block(x)


class SingleDeconv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.block = nn.ConvTranspose3d(cin, cout, 2, 2)

    def forward(self, x):
        return self.block(x)


class ConvBnRelu(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.block = nn.Sequential(SingleConv(cin, cout, 3), nn.BatchNorm3d(cout), nn.ReLU(True))

    def forward(self, x):
        return self.block(x)


class DeconvBnRelu(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.block = nn.Sequential(SingleDeconv(cin, cout), SingleConv(cout, cout, 3), nn.BatchNorm3d(cout), nn.ReLU(True))

    def forward(self, x):
        return self.block(x)


class SeedAttention(nn.Module):
    def __init__(self, embed, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(embed, embed)
        self.key = nn.Linear(embed, embed)
        self.value = nn.Linear(embed, embed)
        self.out = nn.Linear(embed, embed)

    def forward(self, x):
        q, k, v = (split_heads(layer(x), self.heads) for layer in (self.query, self.key, self.value))
        return self.out(merge_heads(attend(q, k, v)))


class SeedMlp(nn.Module):
    def __init__(self, embed, mlp):
        super().__init__()
        self.w_1 = nn.Linear(embed, mlp)
        self.w_2 = nn.Linear(mlp, embed)

    def forward(self, x):
        return self.w_2(F.relu(self.w_1(x)))


class SeedBlock(nn.Module):
    def __init__(self, embed, heads, mlp):
        super().__init__()
        self.attention_norm = nn.LayerNorm(embed, eps=1e-6)
        self.mlp_norm = nn.LayerNorm(embed, eps=1e-6)
        self.mlp = SeedMlp(embed, mlp)
        self.attn = SeedAttention(embed, heads)

    def forward(self, x):
        x = x + self.attn(self.attention_norm(x))
        return x + self.mlp(self.mlp_norm(x))


class SeedEmbeddings(nn.Module):
    def __init__(self, cin, embed, patch, patches):
        super().__init__()
        self.patch_embeddings = nn.Conv3d(cin, embed, patch, patch)
        self.position_embeddings = nn.Parameter(torch.zeros(1, patches, embed))

    def forward(self, x):
        return self.patch_embeddings(x).flatten(2).transpose(1, 2) + self.position_embeddings


class SeedTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        e = c["embedDim"]
        self.embeddings = SeedEmbeddings(c["inChannels"], e, c["patchSize"], int(np.prod(c["grid"])))
        self.layer = nn.ModuleList(SeedBlock(e, c["heads"], c["mlpDim"]) for _ in range(c["depth"]))
        self.encoder_norm = nn.LayerNorm(e, eps=1e-6)
        self.extract = c["extractLayers"]
        self.final_norm = c["finalNorm"]

    def forward(self, x):
        return run_blocks(self.embeddings(x), self.layer, self.extract, self.encoder_norm if self.final_norm else None)


class SeedUnetr(nn.Module):
    def __init__(self, c):
        super().__init__()
        e, (w0, w1, w2, w3), stem = c["embedDim"], c["widths"], c["stemWidth"]
        self.grid = c["grid"]
        self.transformer = SeedTransformer(c)
        self.decoder0 = nn.Sequential(ConvBnRelu(c["inChannels"], stem), ConvBnRelu(stem, w0))
        self.decoder3 = nn.Sequential(DeconvBnRelu(e, w3), DeconvBnRelu(w3, w2), DeconvBnRelu(w2, w1))
        self.decoder6 = nn.Sequential(DeconvBnRelu(e, w3), DeconvBnRelu(w3, w2))
        self.decoder9 = DeconvBnRelu(e, w3)
        self.decoder12_upsampler = SingleDeconv(e, w3)
        self.decoder9_upsampler = nn.Sequential(ConvBnRelu(2 * w3, w3), ConvBnRelu(w3, w3), SingleDeconv(w3, w2))
        self.decoder6_upsampler = nn.Sequential(ConvBnRelu(2 * w2, w2), ConvBnRelu(w2, w2), SingleDeconv(w2, w1))
        self.decoder3_upsampler = nn.Sequential(ConvBnRelu(2 * w1, w1), ConvBnRelu(w1, w1), SingleDeconv(w1, w0))
        self.decoder0_header = nn.Sequential(ConvBnRelu(2 * w0, w0), ConvBnRelu(w0, w0), SingleConv(w0, c["outChannels"], 1))

    def forward(self, x):
        z3, z6, z9, z12 = (to_volume(h, self.grid) for h in self.transformer(x))
        up = self.decoder12_upsampler(z12)
        up = self.decoder9_upsampler(torch.cat([self.decoder9(z9), up], 1))
        up = self.decoder6_upsampler(torch.cat([self.decoder6(z6), up], 1))
        up = self.decoder3_upsampler(torch.cat([self.decoder3(z3), up], 1))
        return self.decoder0_header(torch.cat([self.decoder0(x), up], 1))


# ---------------------------------------------------------------- MONAI layout

class ConvOnly(nn.Module):
    def __init__(self, cin, cout, kernel, transposed=False, bias=False):
        super().__init__()
        self.conv = (nn.ConvTranspose3d(cin, cout, 2, 2, bias=bias) if transposed
                     else nn.Conv3d(cin, cout, kernel, padding=(kernel - 1) // 2, bias=bias))

    def forward(self, x):
        return self.conv(x)


def instance_norm(channels):
    return nn.InstanceNorm3d(channels, eps=1e-5, affine=False, track_running_stats=False)


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = ConvOnly(cin, cout, 3)
        self.conv2 = ConvOnly(cout, cout, 3)
        self.lrelu = nn.LeakyReLU(0.01, inplace=True)
        self.norm1 = instance_norm(cout)
        self.norm2 = instance_norm(cout)
        self.shortcut = cin != cout
        if self.shortcut:
            self.conv3 = ConvOnly(cin, cout, 1)
            self.norm3 = instance_norm(cout)

    def forward(self, x):
        h = self.norm2(self.conv2(self.lrelu(self.norm1(self.conv1(x)))))
        return self.lrelu(h + (self.norm3(self.conv3(x)) if self.shortcut else x))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.layer = ResBlock(cin, cout)

    def forward(self, x):
        return self.layer(x)


class PrUpBlock(nn.Module):
    def __init__(self, cin, cout, extra):
        super().__init__()
        self.transp_conv_init = ConvOnly(cin, cout, 2, transposed=True)
        self.blocks = nn.ModuleList(
            nn.Sequential(ConvOnly(cout, cout, 2, transposed=True), ResBlock(cout, cout)) for _ in range(extra))

    def forward(self, x):
        x = self.transp_conv_init(x)
        for block in self.blocks:
            x = block(x)
        return x


class UpBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.transp_conv = ConvOnly(cin, cout, 2, transposed=True)
        self.conv_block = ResBlock(2 * cout, cout)

    def forward(self, x, skip):
        return self.conv_block(torch.cat([self.transp_conv(x), skip], 1))


class OutBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = ConvOnly(cin, cout, 1, bias=True)

    def forward(self, x):
        return self.conv(x)


class MonaiMlp(nn.Module):
    def __init__(self, embed, mlp):
        super().__init__()
        self.linear1 = nn.Linear(embed, mlp)
        self.linear2 = nn.Linear(mlp, embed)

    def forward(self, x):
        return self.linear2(F.gelu(self.linear1(x)))


class FusedAttention(nn.Module):
    def __init__(self, embed, heads, qkv_bias):
        super().__init__()
        self.heads = heads
        self.out_proj = nn.Linear(embed, embed)
        self.qkv = nn.Linear(embed, 3 * embed, bias=qkv_bias)

    def forward(self, x):
        b, n, e = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, e // self.heads).permute(2, 0, 3, 1, 4)
        return self.out_proj(merge_heads(attend(q, k, v)))


class MonaiBlock(nn.Module):
    def __init__(self, embed, heads, mlp, qkv_bias):
        super().__init__()
        self.mlp = MonaiMlp(embed, mlp)
        self.norm1 = nn.LayerNorm(embed, eps=1e-5)
        self.attn = FusedAttention(embed, heads, qkv_bias)
        self.norm2 = nn.LayerNorm(embed, eps=1e-5)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Rearrange(nn.Module):
    """[B, C, g0·p, g1·p, g2·p] → [B, g0·g1·g2, p·p·p·C]: the perceptron projection's (p1 p2 p3 c) patch order."""

    def __init__(self, patch):
        super().__init__()
        self.patch = patch

    def forward(self, x):
        b, c, d, h, w = x.shape
        p = self.patch
        x = x.reshape(b, c, d // p, p, h // p, p, w // p, p).permute(0, 2, 4, 6, 3, 5, 7, 1)
        return x.reshape(b, (d // p) * (h // p) * (w // p), p * p * p * c)


class PatchEmbedding(nn.Module):
    def __init__(self, c):
        super().__init__()
        p, e = c["patchSize"], c["embedDim"]
        self.perceptron = c["projection"] == "perceptron"
        self.patch_embeddings = (nn.Sequential(Rearrange(p), nn.Linear(c["inChannels"] * p ** 3, e)) if self.perceptron
                                 else nn.Conv3d(c["inChannels"], e, p, p))
        self.position_embeddings = nn.Parameter(torch.zeros(1, int(np.prod(c["grid"])), e))

    def forward(self, x):
        x = self.patch_embeddings(x)
        if not self.perceptron:
            x = x.flatten(2).transpose(1, 2)
        return x + self.position_embeddings


class ViT(nn.Module):
    def __init__(self, c):
        super().__init__()
        e = c["embedDim"]
        self.patch_embedding = PatchEmbedding(c)
        self.blocks = nn.ModuleList(MonaiBlock(e, c["heads"], c["mlpDim"], c["qkvBias"]) for _ in range(c["depth"]))
        self.norm = nn.LayerNorm(e, eps=1e-5)
        self.extract = c["extractLayers"]
        self.final_norm = c["finalNorm"]

    def forward(self, x):
        return run_blocks(self.patch_embedding(x), self.blocks, self.extract, self.norm if self.final_norm else None)


class MonaiUnetr(nn.Module):
    def __init__(self, c):
        super().__init__()
        e, (w0, w1, w2, w3) = c["embedDim"], c["widths"]
        self.grid = c["grid"]
        self.vit = ViT(c)
        self.encoder1 = BasicBlock(c["inChannels"], w0)
        self.encoder2 = PrUpBlock(e, w1, 2)
        self.encoder3 = PrUpBlock(e, w2, 1)
        self.encoder4 = PrUpBlock(e, w3, 0)
        self.decoder5 = UpBlock(e, w3)
        self.decoder4 = UpBlock(w3, w2)
        self.decoder3 = UpBlock(w2, w1)
        self.decoder2 = UpBlock(w1, w0)
        self.out = OutBlock(w0, c["outChannels"])

    def forward(self, x):
        h1, h2, h3, h4 = (to_volume(h, self.grid) for h in self.vit(x))
        s1 = self.encoder1(x)
        s2 = self.encoder2(h1)
        s3 = self.encoder3(h2)
        s4 = self.encoder4(h3)
        up = self.decoder5(h4, s4)
        up = self.decoder4(up, s3)
        up = self.decoder3(up, s2)
        return self.out(self.decoder2(up, s1))


# ---------------------------------------------------------------- timing

def median_seconds(action, repeats):
    action()  # warm-up: first-call allocations and kernel selection
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def gemm_rates():
    """Best float32 GFLOP/s of this PyTorch's routes to a matrix product, best of 10 after a warm-up per shape:
    matmul of square matrices (its BLAS) and a 1x1x1 convolution of a channels-last volume (oneDNN when this build has
    it; torch.backends.mkldnn.is_available() says whether)."""
    def best(flop, action):
        action()
        times = []
        for _ in range(10):
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
        return flop / min(times) / 1e9

    matmul = 0.0
    for n in (1024, 2048, 3072):
        a, b = torch.randn(n, n), torch.randn(n, n)
        matmul = max(matmul, best(2.0 * n ** 3, lambda: torch.matmul(a, b)))
    conv = 0.0
    with torch.inference_mode():
        for channels, edge in ((512, 16), (1024, 16)):
            volume = torch.randn(1, channels, edge, edge, edge).contiguous(memory_format=torch.channels_last_3d)
            weight = torch.randn(channels, channels, 1, 1, 1).contiguous(memory_format=torch.channels_last_3d)
            conv = max(conv, best(2.0 * edge ** 3 * channels ** 2, lambda: F.conv3d(volume, weight)))
    return matmul, conv, torch.backends.mkldnn.is_available()


def read_floats(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape).copy())


def setup(case_path):
    with open(case_path, encoding="utf-8") as f:
        c = json.load(f)
    torch.set_num_threads(c["threads"])
    torch.manual_seed(c["seed"])
    if len(c["imageSize"]) != 3 or c["patchSize"] != 16:
        raise SystemExit("this script covers 3D networks with patch 16 (four decoder stages)")
    net = (SeedUnetr if c["layout"] == "seed" else MonaiUnetr)(c)
    net.load_state_dict(torch.load(c["weights"]), strict=True)
    net.eval()

    x = read_floats(c["input"], c["inputShape"])
    expected = read_floats(c["output"], c["outputShape"])
    with torch.inference_mode():
        max_diff = (net(x) - expected).abs().max().item()

    def forward():
        net.eval()
        with torch.inference_mode():
            net(x)

    # The train batches are TorchSharp's (same input, same labels); stock AdamW with the recipe's lr and weight decay.
    batches = {}
    for batch in c["trainBatches"]:
        shape = batch["inputShape"]
        labels = torch.from_numpy(np.fromfile(batch["labels"], dtype="<i8").reshape([shape[0], *shape[2:]]).copy())
        batches[str(batch["batch"])] = (read_floats(batch["input"], shape), labels)
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-4, weight_decay=1e-5)

    def train_step(batch):
        train_input, labels = batches[batch]
        net.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(net(train_input), labels)
        loss.backward()
        optimizer.step()

    def train_parts():
        """One train step on the first batch; returns the seconds of zero_grad, forward with loss, backward and the optimizer step."""
        train_input, labels = batches[str(c["trainBatches"][0]["batch"])]
        net.train()
        marks = [time.perf_counter()]
        optimizer.zero_grad()
        marks.append(time.perf_counter())
        loss = F.cross_entropy(net(train_input), labels)
        loss.item()
        marks.append(time.perf_counter())
        loss.backward()
        marks.append(time.perf_counter())
        optimizer.step()
        marks.append(time.perf_counter())
        return [b - a for a, b in zip(marks, marks[1:])]

    facts = {"torch": torch.__version__, "threads": torch.get_num_threads(), "maxAbsDiff": max_diff}
    return c, facts, forward, train_step, train_parts, sorted(batches)


def main(case_path):
    c, facts, forward, train_step, _, batches = setup(case_path)
    forward_median, forward_min = median_seconds(forward, c["forwardRepeats"])
    train = {batch: median_seconds(lambda: train_step(batch), c["trainRepeats"]) for batch in batches}
    print(json.dumps({
        **facts,
        "forwardMedian": forward_median,
        "forwardMin": forward_min,
        "train": {batch: {"median": median, "min": least} for batch, (median, least) in train.items()},
    }))


def serve(case_path):
    _, facts, forward, train_step, train_parts, batches = setup(case_path)
    print(json.dumps(facts), flush=True)
    for line in sys.stdin:
        command = line.split()
        if command == ["quit"]:
            break
        if command == ["train-parts"]:
            print(" ".join(str(seconds) for seconds in train_parts()), flush=True)
            continue
        if command == ["gemm"]:
            matmul, conv, mkldnn = gemm_rates()
            print(f"{matmul} {conv} {mkldnn}", flush=True)
            continue
        if command == ["forward"]:
            action = forward
        elif len(command) == 2 and command[0] == "train" and command[1] in batches:
            action = lambda: train_step(command[1])
        else:
            raise SystemExit(f"unknown command {line.strip()!r}; expected forward, train B (B one of {batches}), train-parts, gemm or quit")
        start = time.perf_counter()
        action()
        print(time.perf_counter() - start, flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(sys.argv[2])
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        raise SystemExit(__doc__)
