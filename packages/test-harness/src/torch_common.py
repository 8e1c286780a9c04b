"""What the families' PyTorch reference scripts share (run with /usr/bin/python3: torch, torchvision).

The harness puts this folder on PYTHONPATH for every interpreter it starts (`PythonSession`,
`runPython`, `runPythonScript`, `pythonEnv()`), so a family script says `from torch_common import …`.
"""
import json
import struct
import sys

import numpy as np
import torch
import torchvision

_DTYPES = {torch.float32: ('F32', np.float32), torch.int64: ('I64', np.int64)}
_NUMPY = {'F32': np.float32, 'I64': np.int64}


def write_f32(path, tensor):
    """Writes `tensor` as raw little-endian float32 (what the TypeScript side reads with readF32)."""
    tensor.detach().cpu().contiguous().numpy().astype('<f4').tofile(path)


def write_safetensors(state, path):
    """Writes a state dict (float32 and int64 tensors) as safetensors, with struct and json only."""
    header, chunks, offset = {}, [], 0
    for name, tensor in state.items():
        code, np_type = _DTYPES[tensor.dtype]
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
    """Reads a safetensors file of F32 and I64 tensors into a state dict (the metadata skipped)."""
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
        array = np.frombuffer(data[base + start:base + end], dtype=_NUMPY[info['dtype']]).reshape(info['shape'])
        state[name] = torch.from_numpy(array.copy())
    return state


def randomize_batch_norm(model, generator, biases=False):
    """Gives every BatchNorm2d a random scale, shift, mean and variance (so a wrongly mapped batch
    norm cannot hide behind the identity it is at init); with `biases`, also random conv and linear
    biases (torchvision zeroes them, which would hide a bias loaded into the wrong layer)."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            c = module.num_features
            module.weight.data = torch.rand(c, generator=generator) * 1.0 + 0.5
            module.bias.data = (torch.rand(c, generator=generator) - 0.5) * 0.4
            module.running_mean = torch.randn(c, generator=generator) * 0.1
            module.running_var = torch.rand(c, generator=generator) + 0.5
        elif biases and isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)) and module.bias is not None:
            module.bias.data = (torch.rand(module.bias.shape, generator=generator) - 0.5) * 0.2


def weight_entries(arch):
    """torchvision's published weights of `arch`, keyed `<arch>.<entry name, lower case>`: URL,
    parameter count, ImageNet-1K top-1/top-5, preprocessing, categories and minimum input size."""
    entries = {}
    for entry in torchvision.models.get_model_weights(arch):
        transforms = entry.transforms()
        metrics = entry.meta['_metrics']['ImageNet-1K']
        entries[f'{arch}.{entry.name.lower()}'] = {
            'url': entry.url, 'numParams': entry.meta['num_params'],
            'top1': metrics['acc@1'], 'top5': metrics['acc@5'],
            'cropSize': transforms.crop_size[0], 'resizeSize': transforms.resize_size[0],
            'interpolation': transforms.interpolation.value, 'mean': list(transforms.mean),
            'std': list(transforms.std), 'categories': entry.meta['categories'],
            'minSize': list(entry.meta['min_size']),
        }
    return entries


def serve(handlers):
    """Prints "ready", then answers requests, one per stdin line: "<command> <args…>" calls
    `handlers[command](*args)` and prints "done". An unknown command ends the process with an error."""
    print('ready', flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command not in handlers:
            raise SystemExit(f'unknown request {line!r}')
        handlers[command](*args)
        print('done', flush=True)
