"""Writes the checkpoint fixtures beside this script with PyTorch (Debian's python3-torch, 1.13).

monai_block.pt           torch.save of the state dict of one MONAI TransformerBlock (hidden 12, MLP 24, no qkv bias)
                         as MONAI >= 1.4 saves it: with the cross-attention weights UNETR never calls.
monai_block.safetensors  the same tensors in the safetensors format, written here from the format's specification
                         (no safetensors package is installed): an 8-byte little-endian header length, a JSON header
                         with "__metadata__" and keys in sorted order, padded with spaces to a multiple of 8 bytes,
                         then the raw little-endian data in header order.

Run: python3 make_fixtures.py   (the output is deterministic: the seed is fixed)
"""
import json
import os
import struct
from collections import OrderedDict

import torch

HIDDEN, MLP = 12, 24
HERE = os.path.dirname(os.path.abspath(__file__))


def state_dict():
    torch.manual_seed(20240607)
    shapes = [
        ("mlp.linear1.weight", (MLP, HIDDEN)),
        ("mlp.linear1.bias", (MLP,)),
        ("mlp.linear2.weight", (HIDDEN, MLP)),
        ("mlp.linear2.bias", (HIDDEN,)),
        ("norm1.weight", (HIDDEN,)),
        ("norm1.bias", (HIDDEN,)),
        ("attn.out_proj.weight", (HIDDEN, HIDDEN)),
        ("attn.out_proj.bias", (HIDDEN,)),
        ("attn.qkv.weight", (3 * HIDDEN, HIDDEN)),
        ("norm2.weight", (HIDDEN,)),
        ("norm2.bias", (HIDDEN,)),
        ("norm_cross_attn.weight", (HIDDEN,)),
        ("norm_cross_attn.bias", (HIDDEN,)),
        ("cross_attn.out_proj.weight", (HIDDEN, HIDDEN)),
        ("cross_attn.out_proj.bias", (HIDDEN,)),
        ("cross_attn.to_q.weight", (HIDDEN, HIDDEN)),
        ("cross_attn.to_k.weight", (HIDDEN, HIDDEN)),
        ("cross_attn.to_v.weight", (HIDDEN, HIDDEN)),
    ]
    return OrderedDict((key, torch.randn(shape, dtype=torch.float32)) for key, shape in shapes)


def write_safetensors(tensors, path):
    header, data, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for key in sorted(tensors):
        raw = tensors[key].contiguous().numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(tensors[key].shape), "data_offsets": [offset, offset + len(raw)]}
        data.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        for raw in data:
            file.write(raw)


if __name__ == "__main__":
    tensors = state_dict()
    torch.save(tensors, os.path.join(HERE, "monai_block.pt"))
    write_safetensors(tensors, os.path.join(HERE, "monai_block.safetensors"))
    print("torch", torch.__version__, "wrote", len(tensors), "tensors;",
          "sum of attn.qkv.weight", float(tensors["attn.qkv.weight"].double().sum()))
