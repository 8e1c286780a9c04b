"""Writes PyTorch reference files for the weights tests (run with /usr/bin/python3, torch 1.13).

usage: torch_fixtures.py files OUT_DIR   -> checkpoints in every format + expected.json + hostile files
       torch_fixtures.py check OUT_DIR   -> loads OUT_DIR/saved.safetensors into TinyNet (strict) and
                                            writes OUT_DIR/check_logits.f32
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import tarfile
import zipfile

import torch
import torch.nn as nn

torch.manual_seed(0)

ST_DTYPES = {
    torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
    torch.int64: 'I64', torch.int32: 'I32', torch.uint8: 'U8', torch.bool: 'BOOL',
}


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def dtype_tensors():
    sd = collections.OrderedDict()
    sd['f32'] = torch.randn(3, 5) * 100
    sd['f32'][0, 0] = float('inf')
    sd['f32'][0, 1] = -0.0
    sd['f16'] = (torch.randn(4, 2) * 1000).half()
    sd['bf16'] = torch.randn(2, 3, 2).bfloat16()
    sd['f64'] = torch.randn(5).double() * 1e200
    sd['i64'] = torch.tensor([0, -1, 2**40, -(2**62), 7], dtype=torch.int64)
    sd['i32'] = torch.tensor([[-(2**31), 2**31 - 1], [3, -4]], dtype=torch.int32)
    sd['u8'] = torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8)
    sd['bool'] = torch.tensor([True, False, True, True], dtype=torch.bool)
    sd['scalar'] = torch.tensor(3.5)
    base = torch.randn(4, 6)
    sd['transposed'] = base.t()                      # non-contiguous view
    storage_owner = torch.arange(30, dtype=torch.float32)
    sd['shared_a'] = storage_owner[:12].view(3, 4)     # two views of one storage,
    sd['shared_b'] = storage_owner[10:28].view(2, 9)   # the second with an offset, overlapping
    sd['strided'] = torch.randn(6, 8)[::2, 1::3]       # non-unit strides with an offset
    sd['param'] = nn.Parameter(torch.randn(2, 2))      # pickled via _rebuild_parameter
    return sd


def write_safetensors(path, sd):
    header, blobs, offset = {}, [], 0
    for name, t in sd.items():
        data = raw_bytes(t.detach())
        header[name] = {'dtype': ST_DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header['__metadata__'] = {'format': 'pt'}
    encoded = json.dumps(header).encode()
    encoded += b' ' * ((8 - len(encoded) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    inverse = {v: k for k, v in ST_DTYPES.items()}
    out = collections.OrderedDict()
    for name, spec in header.items():
        if name == '__metadata__':
            continue
        begin, end = spec['data_offsets']
        chunk = bytearray(data[8 + n + begin:8 + n + end])
        dtype = inverse[spec['dtype']]
        if dtype == torch.bfloat16:
            t = torch.frombuffer(chunk, dtype=torch.int16).view(torch.bfloat16) if chunk else torch.empty(0, dtype=dtype)
        else:
            t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(spec['shape']).clone()
    return out


class _Key:
    def __init__(self, key):
        self.key = key


def write_old_tar(path, sd):
    """The pre-1.0 torch.save tar layout, as torch/serialization.py's legacy_load reads it."""
    storages = collections.OrderedDict()  # key -> (storage tensor flat, storage type)
    tensors = []  # (key, storage_key, tensor_type, size, stride, offset)
    views = []
    key = 1000
    storage_type = {torch.float32: (torch.FloatStorage, torch.FloatTensor), torch.int64: (torch.LongStorage, torch.LongTensor),
                    torch.float16: (torch.HalfStorage, torch.HalfTensor)}
    for name, t in sd.items():
        st, tt = storage_type[t.dtype]
        owner = t.storage()
        root_key = next((k for k, (s, _) in storages.items() if s.data_ptr() == owner.data_ptr()), None)
        if root_key is None:
            key += 1
            root_key = key
            storages[root_key] = (owner, st)
        key += 1
        tensors.append((key, root_key, tt, tuple(t.size()), tuple(t.stride()), t.storage_offset(), name))
    # One storage view: a tensor whose storage is a view (offset 2, numel 6) of a root storage.
    view_owner = torch.arange(10, dtype=torch.float32)
    key += 1
    view_root = key
    storages[view_root] = (view_owner.storage(), torch.FloatStorage)
    key += 1
    view_key = key
    views.append((view_key, view_root, 2, 6))
    key += 1
    tensors.append((key, view_key, torch.FloatTensor, (2, 3), (3, 1), 0, 'via_storage_view'))

    def add(tar, name, data):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            return str(obj.key) if isinstance(obj, _Key) else None

    main = io.BytesIO()
    P(main, protocol=2).dump(collections.OrderedDict((t[6], _Key(t[0])) for t in tensors))
    tbuf = io.BytesIO()
    pickle.dump(len(tensors), tbuf, protocol=2)
    for k, sk, tt, size, stride, offset, _ in tensors:
        pickle.dump((k, sk, tt), tbuf, protocol=2)
        tbuf.write(struct.pack('<i', len(size)) + b'\0\0\0\0')
        tbuf.write(struct.pack('<%dq' % len(size), *size))
        tbuf.write(struct.pack('<%dq' % len(stride), *stride))
        tbuf.write(struct.pack('<q', offset))
    sbuf = io.BytesIO()
    pickle.dump(len(storages), sbuf, protocol=2)
    for k, (s, st) in storages.items():
        pickle.dump((k, 'cpu', st), sbuf, protocol=2)
        flat = torch.tensor([], dtype=s.dtype).set_(s)
        sbuf.write(struct.pack('<q', flat.numel()))
        sbuf.write(raw_bytes(flat))
    pickle.dump(views, sbuf, protocol=2)
    sys_info = io.BytesIO()
    pickle.dump(dict(protocol_version=1001, little_endian=True, type_sizes=dict(short=2, int=4, long=4)), sys_info, protocol=2)
    with tarfile.open(path, 'w:', format=tarfile.PAX_FORMAT) as tar:
        add(tar, 'sys_info', sys_info.getvalue())
        add(tar, 'pickle', main.getvalue())
        add(tar, 'tensors', tbuf.getvalue())
        add(tar, 'storages', sbuf.getvalue())
    expected = collections.OrderedDict((t[6], sd[t[6]]) for t in tensors if t[6] in sd)
    expected['via_storage_view'] = view_owner[2:8].view(2, 3)
    return expected


class Evil:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


def write_hostile(out):
    marker = os.path.join(out, 'pwned')
    payloads = {
        'os_system': pickle.dumps(collections.OrderedDict(w=Evil(os.system, 'touch ' + marker)), protocol=2),
        'builtins_eval': pickle.dumps(collections.OrderedDict(w=Evil(eval, "open(%r, 'w').close()" % marker)), protocol=2),
    }
    for name, payload in payloads.items():
        with open(os.path.join(out, name + '.pkl'), 'wb') as f:
            f.write(payload)
        with zipfile.ZipFile(os.path.join(out, name + '.pth'), 'w') as z:
            z.writestr('archive/data.pkl', payload)
            z.writestr('archive/version', '3\n')
        # The same payload inside a legacy stream, after a valid magic/protocol/sys_info prefix.
        with open(os.path.join(out, name + '.legacy.pth'), 'wb') as f:
            pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)
            pickle.dump(1001, f, protocol=2)
            pickle.dump({'protocol_version': 1001, 'little_endian': True}, f, protocol=2)
            f.write(payload)


class TinyNet(nn.Module):
    """conv + bn + relu, depthwise conv (multiplier 2) + bn + relu, flatten, linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.block = nn.Module()
        self.block.dw = nn.Conv2d(8, 16, 3, padding=1, groups=8)
        self.block.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 4 * 5, 5)

    def forward(self, x):
        x = self.stem(x)
        x = torch.relu(self.block.bn(self.block.dw(x)))
        return self.fc(torch.flatten(x, 1))


def tiny_inputs():
    g = torch.Generator().manual_seed(1)
    return torch.randn(2, 3, 4, 5, generator=g)


def files(out):
    sd = dtype_tensors()
    torch.save(sd, os.path.join(out, 'dtypes.zip.pth'))
    torch.save(sd, os.path.join(out, 'dtypes.legacy.pth'), _use_new_zipfile_serialization=False)
    write_safetensors(os.path.join(out, 'dtypes.safetensors'), sd)
    expected = {name: {'dtype': ST_DTYPES[t.dtype], 'shape': list(t.shape), 'hex': raw_bytes(t.detach()).hex()} for name, t in sd.items()}
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f)

    tar_sd = collections.OrderedDict(
        a=torch.randn(3, 4), t=torch.randn(4, 3).t(), l=torch.tensor([1, -2, 2**50]), h=torch.randn(5).half())
    tar_expected = write_old_tar(os.path.join(out, 'old.tar.pth'), tar_sd)
    # Evidence for the construction: torch 1.13's own legacy tar reader accepts it with these values.
    loaded = torch.load(os.path.join(out, 'old.tar.pth'))
    assert list(loaded.keys()) == list(tar_expected.keys()), (list(loaded.keys()), list(tar_expected.keys()))
    for name, t in tar_expected.items():
        assert torch.equal(loaded[name], t), name
    with open(os.path.join(out, 'tar_expected.json'), 'w') as f:
        json.dump({n: {'dtype': ST_DTYPES[t.dtype], 'shape': list(t.shape), 'hex': raw_bytes(t).hex()} for n, t in tar_expected.items()}, f)

    write_hostile(out)

    # float32 values and PyTorch's rounding of them to float16 / bfloat16 bit patterns.
    values = torch.cat([torch.randn(2000) * 10.0 ** torch.randint(-9, 6, (2000,)).float(),
                        torch.tensor([0.0, -0.0, 65504.0, 65520.0, 1e-8, 5.96e-8, 2.98e-8, float('inf'), -float('inf')])])
    values.numpy().astype('<f4').tofile(os.path.join(out, 'round_f32.f32'))
    values.half().view(torch.int16).numpy().tofile(os.path.join(out, 'round_f16.u16'))
    values.bfloat16().view(torch.int16).numpy().tofile(os.path.join(out, 'round_bf16.u16'))

    net = TinyNet()
    with torch.no_grad():
        for bn in (net.stem[1], net.block.bn):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
            bn.num_batches_tracked.fill_(123)
    net.eval()
    torch.save(net.state_dict(), os.path.join(out, 'tiny.pth'))
    x = tiny_inputs()
    x.numpy().astype('<f4').tofile(os.path.join(out, 'tiny_input.f32'))
    with torch.no_grad():
        net(x).numpy().astype('<f4').tofile(os.path.join(out, 'tiny_logits.f32'))


def check(out):
    net = TinyNet().eval()
    sd = read_safetensors(os.path.join(out, 'saved.safetensors'))
    net.load_state_dict(sd, strict=True)
    with torch.no_grad():
        net(tiny_inputs()).numpy().astype('<f4').tofile(os.path.join(out, 'check_logits.f32'))
    print(json.dumps(sorted(sd.keys())))


if __name__ == '__main__':
    {'files': files, 'check': check}[sys.argv[1]](sys.argv[2])
