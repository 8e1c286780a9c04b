/**
 * `featuresOnly` against torchvision's own feature extractor
 * (`torchvision.models.feature_extraction.create_feature_extractor`; for ShuffleNetV2, which
 * torch.fx cannot trace, its top-level modules run in order): the same weights, loaded from
 * the torch.save'd file without naming a mapping, give the same feature maps at the stage ends.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { featureInfo } from '@tfzoo/core';
import { maxAbs, maxAbsDiff, runPython } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { createModel } from './index.js';

// Stage ends as torchvision's detection/segmentation backbones tap them.
const CASES = [
  { id: 'mobilenet_v2', nodes: ['features.1', 'features.3', 'features.6', 'features.13', 'features.18'] },
  { id: 'resnet18', nodes: ['layer1', 'layer2', 'layer3', 'layer4'] },
  { id: 'shufflenet_v2_x0_5', nodes: ['conv1', 'maxpool', 'stage2', 'stage3', 'conv5'] },
] as const;

const SCRIPT = `
import json, sys, torch, torchvision
from torchvision.models.feature_extraction import create_feature_extractor
cases = json.load(sys.stdin)
torch.manual_seed(0)
out = {}
for case in cases:
    model = getattr(torchvision.models, case['id'])(weights=None).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 1.5)
    torch.save(model.state_dict(), case['id'] + '.pth')
    x = torch.randn(1, 3, 96, 96)
    x.permute(0, 2, 3, 1).contiguous().numpy().astype('<f4').tofile(case['id'] + '.input.bin')
    try:
        extractor = create_feature_extractor(model, return_nodes=list(case['nodes']))
        with torch.no_grad():
            maps = extractor(x)
    except torch.fx.proxy.TraceError:
        # ShuffleNetV2's channel_shuffle cannot be fx-traced: run its top-level modules in order
        # (its forward until the pooling head) and keep the named ones' outputs.
        # (The failed trace leaves the model in training mode: back to eval.)
        model.eval()
        maps, h = {}, x
        with torch.no_grad():
            for name, module in model.named_children():
                if name == 'fc':
                    break
                h = module(h)
                maps[name] = h
    shapes = []
    for i, node in enumerate(case['nodes']):
        m = maps[node].permute(0, 2, 3, 1).contiguous()
        m.numpy().astype('<f4').tofile(f"{case['id']}.{i}.bin")
        shapes.append(list(m.shape))
    out[case['id']] = shapes
print(json.dumps(out))
`;

function floats(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe("featuresOnly ≡ torchvision's create_feature_extractor", () => {
  it('gives the stage-end maps of mobilenet_v2, resnet18 and shufflenet_v2_x0_5 (≤ 1e-4 of their scale)', async () => {
    const python = runPython<Record<string, number[][]>>(SCRIPT, CASES);
    try {
      for (const c of CASES) {
        const model = await createModel(c.id, {
          weights: join(python.dir, `${c.id}.pth`),
          featuresOnly: true,
          outIndices: c.id === 'resnet18' ? [1, 2, 3, 4] : [0, 1, 2, 3, 4],
          inputShape: [96, 96, 3],
          strict: false,
        });
        const shapes = python.result[c.id]!;
        expect(featureInfo(model)!.map((level) => level.channels)).toEqual(shapes.map((s) => s[3]));
        const x = tf.tensor4d(floats(join(python.dir, `${c.id}.input.bin`)), [1, 96, 96, 3]);
        const maps = model.predict(x) as tf.Tensor[];
        for (const [i, map] of maps.entries()) {
          expect(map.shape, `${c.id} level ${i}`).toEqual(shapes[i]);
          const expected = floats(join(python.dir, `${c.id}.${i}.bin`));
          const actual = await map.data();
          expect(maxAbsDiff(actual, expected), `${c.id} level ${i}`).toBeLessThanOrEqual(
            1e-4 * maxAbs(expected),
          );
        }
        tf.dispose([x, ...maps]);
        model.dispose();
      }
    } finally {
      python.cleanup();
    }
  });
});
