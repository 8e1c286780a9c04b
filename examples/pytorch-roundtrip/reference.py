"""PyTorch side of the pytorch-roundtrip example (run with Debian's /usr/bin/python3: torch + torchvision).

usage: reference.py DIR ARCH SIZE
  DIR/ours.safetensors  written by tfzoo's saveWeights(..., {names: 'reference'})
  DIR/input.f32         NHWC float32 input [2, SIZE, SIZE, 3]
writes:
  DIR/ours.logits.f32   torchvision ARCH with ours.safetensors loaded strictly, eval mode
  DIR/theirs.pth        a torchvision ARCH with seeded random weights and batch-norm statistics
  DIR/theirs.logits.f32 its logits on the same input
"""
import json
import struct
import sys

import numpy as np
import torch
import torchvision

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    state = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=DTYPES[spec["dtype"]]).reshape(spec["shape"])
        state[name] = torch.from_numpy(array.copy())
    return state


def main():
    out, arch, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    x = np.fromfile(f"{out}/input.f32", dtype=np.float32).reshape(-1, size, size, 3)
    x = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()

    ours = getattr(torchvision.models, arch)()
    ours.load_state_dict(read_safetensors(f"{out}/ours.safetensors"), strict=True)
    with torch.no_grad():
        ours.eval()(x).numpy().astype(np.float32).tofile(f"{out}/ours.logits.f32")

    torch.manual_seed(0)
    theirs = getattr(torchvision.models, arch)()
    with torch.no_grad():
        for module in theirs.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
        torch.save(theirs.state_dict(), f"{out}/theirs.pth")
        theirs.eval()(x).numpy().astype(np.float32).tofile(f"{out}/theirs.logits.f32")
    print("done")


main()
