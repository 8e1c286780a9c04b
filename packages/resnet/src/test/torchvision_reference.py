"""PyTorch side of @tfzoo/resnet's parity tests (run with /usr/bin/python3: torch, torchvision).

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
import struct
import sys

import numpy as np
import torch
import torchvision
from torchvision.models.feature_extraction import create_feature_extractor

ARCHS = ['resnet18', 'resnet50', 'resnext50_32x4d']
ALL_ARCHS = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d',
             'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2']
SIZE = 64

DTYPES = {torch.float32: ('F32', np.float32), torch.int64: ('I64', np.int64)}


def write_safetensors(state, path):
    header, chunks, offset = {}, [], 0
    for name, tensor in state.items():
        code, np_type = DTYPES[tensor.dtype]
        data = tensor.detach().cpu().contiguous().numpy().astype(np_type).tobytes()
        header[name] = {'dtype': code, 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


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


def randomize_batch_norm(model, generator):
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            c = module.num_features
            module.weight.data = torch.rand(c, generator=generator) * 1.0 + 0.5
            module.bias.data = (torch.rand(c, generator=generator) - 0.5) * 0.4
            module.running_mean = torch.randn(c, generator=generator) * 0.1
            module.running_var = torch.rand(c, generator=generator) + 0.5


def fixed_input():
    generator = torch.Generator().manual_seed(1234)
    return torch.randn(2, 3, SIZE, SIZE, generator=generator)


def write_f32(path, tensor):
    tensor.detach().cpu().contiguous().numpy().astype('<f4').tofile(path)


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
        weights = torchvision.models.get_model_weights(arch)
        reference['numParams'][arch] = next(iter(weights)).meta['num_params']
        for entry in weights:
            transforms = entry.transforms()
            metrics = entry.meta['_metrics']['ImageNet-1K']
            reference['weights'][f'{arch}.{entry.name.lower()}'] = {
                'url': entry.url, 'numParams': entry.meta['num_params'],
                'top1': metrics['acc@1'], 'top5': metrics['acc@5'],
                'cropSize': transforms.crop_size[0], 'resizeSize': transforms.resize_size[0],
                'interpolation': transforms.interpolation.value, 'mean': list(transforms.mean),
                'std': list(transforms.std), 'numClasses': len(entry.meta['categories']),
                'categories': entry.meta['categories'],
            }
    with open(f'{out}/reference.json', 'w') as f:
        json.dump(reference, f)


def roundtrip(out, path):
    model = torchvision.models.resnet18(weights=None)
    model.load_state_dict(read_safetensors(path), strict=True)
    model.eval()
    with torch.no_grad():
        write_f32(f'{out}/roundtrip.logits.f32', model(fixed_input()))


def serve(out):
    generate(out)
    print('ready', flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == 'roundtrip':
            roundtrip(out, args[0])
            print('done', flush=True)
        else:
            raise SystemExit(f'unknown request {line!r}')


if __name__ == '__main__':
    if sys.argv[1] == 'generate':
        generate(sys.argv[2])
    elif sys.argv[1] == 'serve':
        serve(sys.argv[2])
    else:
        raise SystemExit(f'unknown command {sys.argv[1]!r}')
