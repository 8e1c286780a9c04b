"""PyTorch side of @tfzoo/resnet's parity tests (run with /usr/bin/python3: torch, torchvision).
Shared helpers come from @tfzoo/test-harness's torch_common.py (the harness puts its src folder on PYTHONPATH).

  python3 torchvision_reference.py generate OUT_DIR
      For resnet18, resnet50 and resnext50_32x4d: a torchvision model with random weights
      (torch.manual_seed) and randomized batch-norm statistics, saved as OUT_DIR/<arch>.pth
      (torch.save, zip) and OUT_DIR/<arch>.safetensors (same tensors, written with struct+json);
      a fixed input OUT_DIR/input.f32 ([2, 64, 64, 3] NHWC little-endian float32) and the eval-mode
      logits OUT_DIR/<arch>.logits.f32. Also OUT_DIR/reference.json: the feature shapes of
      torchvision's create_feature_extractor for the stem and layer1..layer4 at 64×64, and
      torchvision's published parameter counts and weight metadata (URL, accuracy, transforms).

  python3 torchvision_reference.py serve OUT_DIR
      `generate`, then prints "ready" and answers requests, one line each, on stdin:
      "roundtrip FILE.safetensors" loads FILE (a resnet18 state dict) into torchvision's resnet18
      with strict=True, runs the input and writes OUT_DIR/roundtrip.logits.f32, then prints "done".
"""
import json
import sys

import torch
import torchvision
from torch_common import randomize_batch_norm, read_safetensors, serve, weight_entries, write_f32, write_safetensors
from torchvision.models.feature_extraction import create_feature_extractor

ARCHS = ['resnet18', 'resnet50', 'resnext50_32x4d']
ALL_ARCHS = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d',
             'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2']
SIZE = 64


def fixed_input():
    generator = torch.Generator().manual_seed(1234)
    return torch.randn(2, 3, SIZE, SIZE, generator=generator)


def generate(out):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(42)
    x = fixed_input()
    write_f32(f'{out}/input.f32', x.permute(0, 2, 3, 1))
    reference = {'features': {}, 'numParams': {}}
    for arch in ARCHS:
        model = getattr(torchvision.models, arch)(weights=None)
        randomize_batch_norm(model, generator)
        model.eval()
        state = model.state_dict()
        torch.save(state, f'{out}/{arch}.pth')
        write_safetensors(state, f'{out}/{arch}.safetensors')
        with torch.no_grad():
            write_f32(f'{out}/{arch}.logits.f32', model(x))
            nodes = {'relu': 'stem', 'layer1': 'layer1', 'layer2': 'layer2', 'layer3': 'layer3', 'layer4': 'layer4'}
            features = create_feature_extractor(model, return_nodes=nodes)(x)
        reference['features'][arch] = {key: list(value.shape) for key, value in features.items()}
    reference['weights'] = {}
    for arch in ALL_ARCHS:
        reference['numParams'][arch] = next(iter(torchvision.models.get_model_weights(arch))).meta['num_params']
        reference['weights'].update(weight_entries(arch))
    with open(f'{out}/reference.json', 'w') as f:
        json.dump(reference, f)


def roundtrip(out, path):
    model = torchvision.models.resnet18(weights=None)
    model.load_state_dict(read_safetensors(path), strict=True)
    model.eval()
    with torch.no_grad():
        write_f32(f'{out}/roundtrip.logits.f32', model(fixed_input()))


def serve_requests(out):
    generate(out)
    serve({'roundtrip': lambda path: roundtrip(out, path)})


if __name__ == '__main__':
    if sys.argv[1] == 'generate':
        generate(sys.argv[2])
    elif sys.argv[1] == 'serve':
        serve_requests(sys.argv[2])
    else:
        raise SystemExit(f'unknown command {sys.argv[1]!r}')
