import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBenchmarks, readBenchmarks } from './benchmarks.js';
import type { ModelFacts } from './facts.js';
import { renderModelCard, renderModelTable } from './render.js';

const dir = mkdtempSync(join(tmpdir(), 'tfzoo-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function facts(benchmarks: ModelFacts['benchmarks']): ModelFacts {
  return {
    definition: { name: 'tinynet', family: 'tiny', build: () => ({}) as never },
    cost: { inputShape: [32, 32, 3], trainableParams: 1234, totalParams: 1300, macs: 56789 },
    pretrained: [],
    parity: [],
    benchmarks,
  };
}

describe('benchmark JSON', () => {
  it('reads rows under results/rows or a bare array, with file-level device and backend', () => {
    const rows = parseBenchmarks(
      {
        device: '2 vCPU',
        backend: 'wasm',
        results: [
          { model: 'resnet18', batchSize: 1, inputSize: 224, imagesPerSecond: 10.2 },
          { id: 'mobilenet_v2', backend: 'cpu', medianMs: 700 },
          { model: 'no-speed' },
          { imagesPerSecond: 3 },
        ],
      },
      'a.json',
    );
    expect(rows).toEqual([
      {
        model: 'resnet18',
        file: 'a.json',
        backend: 'wasm',
        batchSize: 1,
        inputSize: 224,
        imagesPerSecond: 10.2,
        device: '2 vCPU',
      },
      { model: 'mobilenet_v2', file: 'a.json', backend: 'cpu', latencyMs: 700, device: '2 vCPU' },
    ]);
    expect(parseBenchmarks([{ arch: 'x', throughput: 1 }], 'b.json')).toEqual([
      { model: 'x', file: 'b.json', imagesPerSecond: 1 },
    ]);
  });

  it('reads a @tfzoo/bench report: our TF.js rows only, with the ratio to PyTorch of the same run', () => {
    const report = {
      schema: 'tfzoo-bench/1',
      options: { imageSize: 224 },
      machine: { cpu: { model: 'AMD EPYC' }, cores: 2 },
      runtimes: [
        { key: 'pytorch', kind: 'pytorch', label: 'PyTorch (2 thr)' },
        { key: 'onnxruntime', kind: 'onnxruntime', label: 'onnxruntime-node (2 thr)' },
        { key: 'wasm-1', kind: 'tfjs', label: 'tfzoo wasm (1 thr)' },
      ],
      rows: [
        {
          model: 'resnet18',
          runtime: 'pytorch',
          mode: 'inference',
          batch: 1,
          status: 'ok',
          imagesPerSecond: 20,
        },
        {
          model: 'resnet18',
          runtime: 'onnxruntime',
          mode: 'inference',
          batch: 1,
          status: 'ok',
          imagesPerSecond: 40,
        },
        {
          model: 'resnet18',
          runtime: 'wasm-1',
          mode: 'inference',
          batch: 1,
          status: 'ok',
          imagesPerSecond: 5,
          medianSeconds: 0.2,
        },
        { model: 'resnet18', runtime: 'wasm-1', mode: 'train', batch: 16, status: 'ok', imagesPerSecond: 1 },
        { model: 'resnet18', runtime: 'wasm-1', mode: 'train', batch: 4, status: 'skipped' },
      ],
    };
    const rows = parseBenchmarks(report, 'cpu.json');
    expect(rows).toEqual([
      {
        model: 'resnet18',
        file: 'cpu.json',
        backend: 'tfzoo wasm (1 thr)',
        mode: 'inference',
        batchSize: 1,
        inputSize: 224,
        imagesPerSecond: 5,
        latencyMs: 200,
        device: 'AMD EPYC, 2 cores',
        vsPytorch: 0.25,
      },
      {
        model: 'resnet18',
        file: 'cpu.json',
        backend: 'tfzoo wasm (1 thr)',
        mode: 'train',
        batchSize: 16,
        inputSize: 224,
        imagesPerSecond: 1,
        device: 'AMD EPYC, 2 cores',
      },
    ]);
    const card = renderModelCard(facts(rows), []);
    expect(card).toContain(
      '| `resnet18` | tfzoo wasm (1 thr) | inference | 1 | 224×224 | 5.00 | 200.0 | 0.25× |',
    );
    // The table of all models shows our fastest inference, never a peer's speed or a training step.
    expect(renderModelTable([facts(rows)])).toContain('| 5.00 (tfzoo wasm (1 thr), batch 1) |');
  });

  it('reads a folder (none is fine) and names a file that is not JSON', () => {
    expect(readBenchmarks(join(dir, 'absent'))).toEqual([]);
    writeFileSync(join(dir, 'good.json'), JSON.stringify([{ model: 'm', imagesPerSecond: 2 }]));
    expect(readBenchmarks(dir)).toEqual([{ model: 'm', file: 'good.json', imagesPerSecond: 2 }]);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => readBenchmarks(dir)).toThrow(`benchmark file ${join(dir, 'bad.json')} is not valid JSON`);
  });

  it('cards show our measured speed only when there is a row for the model', () => {
    const without = facts([]);
    expect(renderModelCard(without, [without])).not.toContain('measured speed');
    expect(renderModelTable([without])).not.toContain('images/s');
    const row = { model: 'tinynet', file: 'x.json', backend: 'wasm', batchSize: 1, imagesPerSecond: 42.25 };
    const withSpeed = facts([row]);
    expect(renderModelCard(withSpeed, [withSpeed])).toContain(
      '| `tinynet` | wasm |  | 1 |  | 42.3 |  |  |  | docs/benchmarks/x.json |',
    );
    expect(renderModelTable([withSpeed])).toContain('| 42.3 (wasm, batch 1) |');
  });
});
