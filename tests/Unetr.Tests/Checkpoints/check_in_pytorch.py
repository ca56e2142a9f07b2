"""Checks, with PyTorch, state dicts that Unetr wrote: a .pt must load with torch.load, a .safetensors must follow
the format's specification, and both must hold the same tensors (and those of a reference, if one is given).

No safetensors package is needed: the .safetensors file is parsed here from the specification (8-byte little-endian
header length, JSON header of dtype/shape/data_offsets per key, offsets contiguous from 0 to the end of the file).

Run: python3 check_in_pytorch.py weights.pt weights.safetensors [reference.pt]
"""
import json
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "I64": torch.int64, "I32": torch.int32,
          "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    with open(path, "rb") as file:
        data = file.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length].decode("utf-8"))
    header.pop("__metadata__", None)
    body, tensors, end = data[8 + length:], {}, 0
    for key, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        start, stop = entry["data_offsets"]
        assert start == end, f"{key}: data starts at {start}, the previous tensor ended at {end}"
        dtype = DTYPES[entry["dtype"]]
        tensor = torch.frombuffer(bytearray(body[start:stop]), dtype=dtype).reshape(entry["shape"])
        assert tensor.numel() * tensor.element_size() == stop - start, f"{key}: {stop - start} bytes for shape {entry['shape']}"
        tensors[key], end = tensor, stop
    assert end == len(body), f"the tensors end at {end}, the data has {len(body)} bytes"
    return tensors


def same(name, left, right):
    assert set(left) == set(right), f"{name}: keys differ: {sorted(set(left) ^ set(right))[:10]}"
    for key in left:
        assert left[key].dtype == right[key].dtype and torch.equal(left[key], right[key]), f"{name}: {key} differs"


if __name__ == "__main__":
    pickle = torch.load(sys.argv[1], map_location="cpu")
    safetensors = read_safetensors(sys.argv[2])
    same("pt vs safetensors", pickle, safetensors)
    if len(sys.argv) > 3:
        reference = torch.load(sys.argv[3], map_location="cpu")
        same("pt vs reference", pickle, {key: value for key, value in reference.items() if key in pickle})
    print(f"torch {torch.__version__}: {len(pickle)} tensors, {sum(t.numel() for t in pickle.values()):,} values; "
          f".pt loads with torch.load, .safetensors follows the format, both hold the same tensors"
          + (" as the reference" if len(sys.argv) > 3 else "") + ".")
