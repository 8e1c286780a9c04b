"""PyTorch side of @tfzoo/mobilenet's parity tests (run with /usr/bin/python3: torch, torchvision).
Shared helpers come from @tfzoo/test-harness's torch_common.py (the harness puts its src folder on PYTHONPATH).

  python3 torchvision_reference.py serve OUT_DIR SIZE

For mobilenet_v2, mobilenet_v3_large and mobilenet_v3_small: a torchvision model with random weights
(torch.manual_seed) and randomized batch-norm parameters and statistics, saved as OUT_DIR/<arch>.pth
(torch.save, zip); a fixed input OUT_DIR/input.f32 ([2, SIZE, SIZE, 3] NHWC little-endian float32)
and the eval-mode logits OUT_DIR/<arch>.logits.f32. OUT_DIR/reference.json holds torchvision's
parameter counts (also at width multipliers 0.35–1.4, `widthParams["<arch>@<width>"]`) and weight
metadata (URL, accuracy, transforms). Then it prints "ready" and answers
requests, one line each, on stdin:

  "roundtrip ARCH FILE.safetensors" loads FILE into torchvision's ARCH with strict=True, runs the
  input and writes OUT_DIR/roundtrip.logits.f32, then prints "done".
"""
import json
import sys

import torch
import torchvision
from torch_common import randomize_batch_norm, read_safetensors, serve, weight_entries, write_f32

ARCHS = ['mobilenet_v2', 'mobilenet_v3_large', 'mobilenet_v3_small']
WIDTHS = {'mobilenet_v2': [0.35, 0.5, 0.75, 1.4], 'mobilenet_v3_large': [0.5, 0.75], 'mobilenet_v3_small': [0.75]}


def generate(out, size):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(42)
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(1234))
    write_f32(f'{out}/input.f32', x.permute(0, 2, 3, 1))
    reference = {'numParams': {}, 'widthParams': {}, 'weights': {}}
    for arch, widths in WIDTHS.items():
        for width in widths:
            model = getattr(torchvision.models, arch)(weights=None, width_mult=width)
            reference['widthParams'][f'{arch}@{width}'] = sum(p.numel() for p in model.parameters())
    for arch in ARCHS:
        model = getattr(torchvision.models, arch)(weights=None)
        randomize_batch_norm(model, generator, biases=True)
        model.eval()
        torch.save(model.state_dict(), f'{out}/{arch}.pth')
        with torch.no_grad():
            write_f32(f'{out}/{arch}.logits.f32', model(x))
        reference['numParams'][arch] = sum(p.numel() for p in model.parameters())
        reference['weights'].update(weight_entries(arch))
    with open(f'{out}/reference.json', 'w') as f:
        json.dump(reference, f)
    return x


def roundtrip(out, x, arch, path):
    model = getattr(torchvision.models, arch)(weights=None)
    model.load_state_dict(read_safetensors(path), strict=True)
    model.eval()
    with torch.no_grad():
        write_f32(f'{out}/roundtrip.logits.f32', model(x))


def serve_requests(out, size):
    x = generate(out, size)
    serve({'roundtrip': lambda arch, path: roundtrip(out, x, arch, path)})


if __name__ == '__main__':
    if sys.argv[1] == 'serve':
        serve_requests(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(f'unknown command {sys.argv[1]!r}')
