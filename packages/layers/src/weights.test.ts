import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadWeights, saveWeights } from '@tfzoo/core';
import { maxAbs, maxAbsDiff, runPython } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { groupConv2d, squeezeExcite } from './index.js';

// A PyTorch module with a grouped conv and a timm-style squeeze-excite (`se.fc1`, `se.fc2`, 1×1
// convs with bias): its state dict must load into our layers through the default mapping alone.
const TORCH_MODULE = `
import json, struct, sys, torch
from torch import nn
torch.manual_seed(0)
class SE(nn.Module):
    def __init__(s, c, r):
        super().__init__(); s.fc1 = nn.Conv2d(c, r, 1); s.fc2 = nn.Conv2d(r, c, 1)
    def forward(s, x):
        return x * torch.sigmoid(s.fc2(torch.relu(s.fc1(x.mean((2, 3), keepdim=True)))))
class Net(nn.Module):
    def __init__(s):
        super().__init__(); s.conv = nn.Conv2d(8, 12, 3, stride=2, padding=1, groups=4); s.se = SE(12, 3)
    def forward(s, x): return s.se(s.conv(x))
net = Net().eval()
def load_safetensors(path):
    raw = open(path, 'rb').read(); n = struct.unpack('<Q', raw[:8])[0]; header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__': continue
        a, b = info['data_offsets']
        out[name] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=torch.float32).reshape(info['shape'])
    return out
if sys.argv[1:] and json.load(sys.stdin) == 'reload':
    fresh = Net().eval(); fresh.load_state_dict(load_safetensors('roundtrip.safetensors'), strict=True); net = fresh
else:
    torch.save(net.state_dict(), 'net.pth')
torch.manual_seed(1)
x = torch.randn(2, 8, 7, 7)
with torch.no_grad(): y = net(x)
print(json.dumps({'x': x.permute(0, 2, 3, 1).flatten().tolist(), 'y': y.permute(0, 2, 3, 1).flatten().tolist()}))
`;

function ourNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [7, 7, 8] });
  const conv = groupConv2d({
    filters: 12,
    kernelSize: 3,
    strides: 2,
    padding: 1,
    groups: 4,
    name: 'conv',
  }).apply(input);
  const out = squeezeExcite({ reducedChannels: 3, name: 'se' }).apply(conv) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

describe('weight layouts of @tfzoo/layers', () => {
  it('loads a PyTorch grouped conv and SE block by reference names, and saves them back for strict loading', async () => {
    const torch = runPython<{ x: number[]; y: number[] }>(TORCH_MODULE, 'save');
    try {
      const model = ourNet();
      const report = await loadWeights(model, join(torch.dir, 'net.pth'));
      expect(report.loaded.sort()).toEqual([
        'conv/bias',
        'conv/kernel',
        'se/fc1_bias',
        'se/fc1_kernel',
        'se/fc2_bias',
        'se/fc2_kernel',
      ]);
      const before = tf.memory().numTensors;
      const y = tf.tidy(() =>
        (model.predict(tf.tensor4d(torch.result.x, [2, 7, 7, 8])) as tf.Tensor).dataSync(),
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(maxAbsDiff(y, torch.result.y)).toBeLessThanOrEqual(1e-5 * maxAbs(torch.result.y));

      await saveWeights(model, join(torch.dir, 'roundtrip.safetensors'), { names: 'reference' });
      const reloaded = runPython<{ y: number[] }>(
        TORCH_MODULE.replace("'net.pth')", "'unused.pth')"),
        'reload',
        {
          'roundtrip.safetensors': torch.readFile('roundtrip.safetensors'),
        },
      );
      expect(maxAbsDiff(reloaded.result.y, torch.result.y)).toBeLessThanOrEqual(
        1e-6 * maxAbs(torch.result.y),
      );
      reloaded.cleanup();
      model.dispose();
    } finally {
      torch.cleanup();
    }
  });
});
