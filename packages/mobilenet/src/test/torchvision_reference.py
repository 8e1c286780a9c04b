"""PyTorch side of @tfzoo/mobilenet's parity tests (run with /usr/bin/python3: torch, torchvision).

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
import struct
import sys

import numpy as np
import torch
import torchvision

ARCHS = ['mobilenet_v2', 'mobilenet_v3_large', 'mobilenet_v3_small']
WIDTHS = {'mobilenet_v2': [0.35, 0.5, 0.75, 1.4], 'mobilenet_v3_large': [0.5, 0.75], 'mobilenet_v3_small': [0.75]}


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (length,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + length])
    base = 8 + length
    state = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        start, end = info['data_offsets']
        np_type = {'F32': np.float32, 'I64': np.int64}[info['dtype']]
        array = np.frombuffer(data[base + start:base + end], dtype=np_type).reshape(info['shape'])
        state[name] = torch.from_numpy(array.copy())
    return state


def randomize(model, generator):
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            c = module.num_features
            module.weight.data = torch.rand(c, generator=generator) * 1.0 + 0.5
            module.bias.data = (torch.rand(c, generator=generator) - 0.5) * 0.4
            module.running_mean = torch.randn(c, generator=generator) * 0.1
            module.running_var = torch.rand(c, generator=generator) + 0.5
        elif isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)) and module.bias is not None:
            # torchvision zeroes biases; random ones catch a bias loaded into the wrong layer.
            module.bias.data = (torch.rand(module.bias.shape, generator=generator) - 0.5) * 0.2


def write_f32(path, tensor):
    tensor.detach().cpu().contiguous().numpy().astype('<f4').tofile(path)


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
        randomize(model, generator)
        model.eval()
        torch.save(model.state_dict(), f'{out}/{arch}.pth')
        with torch.no_grad():
            write_f32(f'{out}/{arch}.logits.f32', model(x))
        reference['numParams'][arch] = sum(p.numel() for p in model.parameters())
        for entry in torchvision.models.get_model_weights(arch):
            transforms = entry.transforms()
            metrics = entry.meta['_metrics']['ImageNet-1K']
            reference['weights'][f'{arch}.{entry.name.lower()}'] = {
                'url': entry.url, 'numParams': entry.meta['num_params'],
                'top1': metrics['acc@1'], 'top5': metrics['acc@5'],
                'cropSize': transforms.crop_size[0], 'resizeSize': transforms.resize_size[0],
                'interpolation': transforms.interpolation.value, 'mean': list(transforms.mean),
                'std': list(transforms.std), 'numCategories': len(entry.meta['categories']),
            }
    with open(f'{out}/reference.json', 'w') as f:
        json.dump(reference, f)
    return x


def roundtrip(out, x, arch, path):
    model = getattr(torchvision.models, arch)(weights=None)
    model.load_state_dict(read_safetensors(path), strict=True)
    model.eval()
    with torch.no_grad():
        write_f32(f'{out}/roundtrip.logits.f32', model(x))


def serve(out, size):
    x = generate(out, size)
    print('ready', flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == 'roundtrip':
            roundtrip(out, x, args[0], args[1])
            print('done', flush=True)
        else:
            raise SystemExit(f'unknown request {line!r}')


if __name__ == '__main__':
    if sys.argv[1] == 'serve':
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(f'unknown command {sys.argv[1]!r}')
