"""PyTorch side of @tfzoo/squeezenet's parity tests (run with /usr/bin/python3: torch, torchvision).
Shared helpers come from @tfzoo/test-harness's torch_common.py (the harness puts its src folder on PYTHONPATH).

  python3 torchvision_reference.py OUT_DIR SIZE

For squeezenet1_0 and squeezenet1_1: a torchvision model with random weights (torch.manual_seed;
biases randomized too, since torchvision zeroes them), saved as OUT_DIR/<arch>.pth (torch.save, zip);
a fixed input OUT_DIR/input.f32 ([2, SIZE, SIZE, 3] NHWC little-endian float32) and the eval-mode
logits OUT_DIR/<arch>.logits.f32. OUT_DIR/reference.json holds the shape of `features`' output,
torchvision's parameter counts and its weight metadata (URL, accuracy, transforms).
"""
import json
import sys

import torch
import torchvision
from torch_common import weight_entries, write_f32

ARCHS = ['squeezenet1_0', 'squeezenet1_1']


def main(out, size):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1234)
    x = torch.randn(2, 3, size, size, generator=generator)
    write_f32(f'{out}/input.f32', x.permute(0, 2, 3, 1))
    reference = {'features': {}, 'numParams': {}, 'weights': {}}
    for arch in ARCHS:
        model = getattr(torchvision.models, arch)(weights=None)
        for module in model.modules():
            if isinstance(module, torch.nn.Conv2d):
                module.bias.data = (torch.rand(module.bias.shape, generator=generator) - 0.5) * 0.2
        model.eval()
        torch.save(model.state_dict(), f'{out}/{arch}.pth')
        with torch.no_grad():
            write_f32(f'{out}/{arch}.logits.f32', model(x))
            reference['features'][arch] = list(model.features(x).permute(0, 2, 3, 1).shape[1:])
        reference['numParams'][arch] = sum(p.numel() for p in model.parameters())
        reference['weights'].update(weight_entries(arch))
    with open(f'{out}/reference.json', 'w') as f:
        json.dump(reference, f)


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
