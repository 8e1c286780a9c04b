import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { convOutputSize, receptiveField, samePadding, symmetricPadding } from './conv-arithmetic.js';
import { ZooError } from './errors.js';

interface Case {
  inputSize: number;
  kernelSize: number;
  stride: number;
  padding: number;
  dilation: number;
  ceilMode: boolean;
}

const cases: Case[] = [];
for (const inputSize of [1, 5, 6, 7, 13, 14, 55, 112, 224])
  for (const kernelSize of [1, 2, 3, 5])
    for (const stride of [1, 2, 3])
      for (const padding of [0, 1, 2])
        for (const dilation of [1, 2])
          for (const ceilMode of [false, true]) {
            const span = dilation * (kernelSize - 1) + 1;
            // PyTorch pools require padding ≤ kernel/2; a window larger than the padded input is
            // kept (PyTorch answers -1 below when it refuses the case).
            if (padding * 2 > kernelSize || span > inputSize + 2 * padding + 2) continue;
            cases.push({ inputSize, kernelSize, stride, padding, dilation, ceilMode });
          }

describe('convOutputSize', () => {
  it("equals PyTorch's max_pool2d output size, floor and ceil mode", () => {
    // The reference: torch.nn.functional.max_pool2d on a real tensor, one process for all cases.
    const script = `
import json, sys, torch
cases = json.load(sys.stdin)
out = []
for c in cases:
    x = torch.zeros(1, 1, 1, c['inputSize'])
    try:
        out.append(torch.nn.functional.max_pool2d(x, (1, c['kernelSize']), (1, c['stride']), (0, c['padding']), (1, c['dilation']), ceil_mode=c['ceilMode']).shape[-1])
    except RuntimeError:
        out.append(-1)
print(json.dumps(out))
`;
    const expected = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' }),
    ) as number[];
    const actual = cases.map((c) => {
      try {
        return convOutputSize(c);
      } catch {
        return -1;
      }
    });
    expect(actual).toEqual(expected);
    expect(expected.filter((size) => size === -1).length).toBeGreaterThan(10);
    // Windows larger than the padded input that PyTorch keeps in ceil mode (GoogLeNet, SqueezeNet at small sizes).
    expect(
      cases.some((c, i) => c.ceilMode && c.kernelSize > c.inputSize + 2 * c.padding && expected[i]! > 0),
    ).toBe(true);
    expect(cases.filter((c) => c.ceilMode).length).toBeGreaterThan(100);
  });

  it('gives the hand-computed sizes of well-known layers', () => {
    // ResNet stem 7×7/2 pad 3 on 224 → 112; GoogLeNet ceil-mode 3×3/2 pool on 112 → 56, on 14 → 7.
    expect(convOutputSize({ inputSize: 224, kernelSize: 7, stride: 2, padding: 3 })).toBe(112);
    expect(convOutputSize({ inputSize: 112, kernelSize: 3, stride: 2, ceilMode: true })).toBe(56);
    expect(convOutputSize({ inputSize: 14, kernelSize: 3, stride: 2, ceilMode: true })).toBe(7);
    expect(convOutputSize({ inputSize: 13, kernelSize: 3, stride: 2, ceilMode: false })).toBe(6);
    expect(convOutputSize({ inputSize: 8, kernelSize: 3, padding: [0, 2] })).toBe(8);
  });

  it('names the offending value', () => {
    expect(() => convOutputSize({ inputSize: 2, kernelSize: 5 })).toThrow(ZooError);
    expect(() => convOutputSize({ inputSize: 2, kernelSize: 5 })).toThrow(/received 5/);
    expect(() => convOutputSize({ inputSize: 8, kernelSize: 3, stride: 0 })).toThrow(
      /stride must be an integer ≥ 1; received 0/,
    );
  });
});

describe('padding', () => {
  it('symmetric padding keeps the size at stride 1', () => {
    for (const k of [1, 3, 5, 7])
      for (const d of [1, 2, 3]) {
        const p = symmetricPadding(k, d);
        expect(convOutputSize({ inputSize: 17, kernelSize: k, dilation: d, padding: p })).toBe(17);
      }
  });

  it("TF 'same' pads the extra pixel after", () => {
    expect(samePadding(224, 3, 2)).toEqual({ before: 0, after: 1, total: 1, outputSize: 112 });
    expect(samePadding(225, 3, 2)).toEqual({ before: 1, after: 1, total: 2, outputSize: 113 });
    expect(samePadding(7, 7, 1)).toEqual({ before: 3, after: 3, total: 6, outputSize: 7 });
    expect(samePadding(5, 1, 2)).toEqual({ before: 0, after: 0, total: 0, outputSize: 3 });
  });
});

describe('receptiveField', () => {
  it("gives VGG-16's conv5_3 receptive field of 212 px with jump 16", () => {
    const conv = { kernelSize: 3 };
    const pool = { kernelSize: 2, stride: 2 };
    const layers = [
      conv,
      conv,
      pool,
      conv,
      conv,
      pool,
      conv,
      conv,
      conv,
      pool,
      conv,
      conv,
      conv,
      pool,
      conv,
      conv,
      conv,
    ];
    const result = receptiveField(layers);
    expect(result.receptiveField).toBe(196);
    expect(result.jump).toBe(16);
    // After the fifth pool: 212 px, jump 32 (the commonly quoted figure for pool5).
    expect(receptiveField([...layers, pool])).toMatchObject({ receptiveField: 212, jump: 32 });
  });

  it('accounts for dilation', () => {
    expect(
      receptiveField([
        { kernelSize: 3, dilation: 2 },
        { kernelSize: 3, dilation: 4 },
      ]).receptiveField,
    ).toBe(13);
  });
});
