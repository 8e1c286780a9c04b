import { describe, expect, it } from 'vitest';
import { parseCpuInfo, parseLoadAvg, parseNvidiaSmi } from './fingerprint.js';
import { type BenchReport, compare, renderChart, renderMarkdown, withRelativePaths } from './report.js';
import { formatRatio, median, ratio, repeatsWithinBudget } from './stats.js';
import { barChartSvg, escapeXml } from './svg.js';
import type { BenchRow } from './types.js';
import { compareLogits } from './worker.js';

const CPUINFO = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R45 64-Core Processor
flags\t\t: fpu sse4_1 sse4_2 avx avx2 fma avx512f avx512bw

processor\t: 1
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R45 64-Core Processor
flags\t\t: fpu sse4_1 sse4_2 avx avx2 fma avx512f avx512bw
`;

function row(
  runtime: string,
  imagesPerSecond: number | undefined,
  status: BenchRow['status'] = 'ok',
): BenchRow {
  return {
    model: 'resnet18',
    runtime,
    mode: 'inference',
    batch: 1,
    status,
    ...(imagesPerSecond === undefined ? {} : { imagesPerSecond }),
  };
}

/** A minimal well-formedness check: every tag closes in order, one root, attributes quoted. */
function checkXml(text: string): void {
  const stack: string[] = [];
  const tags = text.match(/<[^>]*>/g) ?? [];
  for (const tag of tags) {
    expect(tag).toMatch(/^<\/?[a-zA-Z]+(\s+[a-zA-Z][\w:-]*="[^"<>]*")*\s*\/?>$/);
    const name = /^<\/?([a-zA-Z]+)/.exec(tag)?.[1] as string;
    if (tag.startsWith('</')) expect(stack.pop()).toBe(name);
    else if (!tag.endsWith('/>')) stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(text.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]|&(?!(lt|gt|amp|apos|quot);)/);
}

describe('stats', () => {
  it('median of odd and even counts, unsorted input untouched', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('ratio refuses missing or non-positive references', () => {
    expect(ratio(10, 40)).toBe(0.25);
    expect(ratio(10, 0)).toBeUndefined();
    expect(ratio(undefined, 3)).toBeUndefined();
    expect(formatRatio(0.25)).toBe('0.25×');
    expect(formatRatio(12.4)).toBe('12×');
  });

  it('plans repeats within the budget, warm-up included', () => {
    expect(repeatsWithinBudget(10, 60, 1, 5)).toBe(5);
    expect(repeatsWithinBudget(10, 30, 1, 5)).toBe(2);
    expect(repeatsWithinBudget(40, 60, 1, 5)).toBe(0);
  });
});

describe('fingerprint', () => {
  it('parses /proc/cpuinfo and /proc/loadavg', () => {
    const cpu = parseCpuInfo(CPUINFO);
    expect(cpu.model).toBe('AMD EPYC 9R45 64-Core Processor');
    expect(cpu.logicalProcessors).toBe(2);
    expect(cpu.simd).toEqual(['sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw']);
    expect(parseLoadAvg('4.47 7.04 7.98 5/219 16566\n')).toEqual([4.47, 7.04, 7.98]);
    expect(() => parseLoadAvg('garbage')).toThrow(/three numbers/);
  });
});

describe('logits check', () => {
  it('measures the error relative to the largest reference logit', () => {
    const check = compareLogits([1, -2.001, 0.5], [1, -2, 0.5], 1e-3, 0.1);
    expect(check.maxAbsDiff).toBeCloseTo(0.001, 9);
    expect(check.relativeError).toBeCloseTo(0.0005, 9);
    expect(check.ok).toBe(true);
    expect(compareLogits([1, -2.01], [1, -2], 1e-3, 0).ok).toBe(false);
    expect(compareLogits([Number.NaN, 0], [1, 0], 1e-3, 0).ok).toBe(false);
    expect(compareLogits([1], [1, 2], 1e-3, 0).reason).toMatch(/1 values.*2/);
  });
});

describe('report', () => {
  it('records paths inside the checkout relative to it', () => {
    const recorded = withRelativePaths(
      {
        options: { out: '/home/me/tfzoo/docs/benchmarks', seed: 0 },
        root: '/home/me/tfzoo',
        errors: ["Cannot find package 'x' imported from /home/me/tfzoo/packages/core/dist/backend.js"],
        elsewhere: '/usr/bin/python3',
        sibling: '/home/me/tfzoo-other/file',
      },
      '/home/me/tfzoo/',
    );
    expect(recorded).toEqual({
      options: { out: 'docs/benchmarks', seed: 0 },
      root: '.',
      errors: ["Cannot find package 'x' imported from packages/core/dist/backend.js"],
      elsewhere: '/usr/bin/python3',
      sibling: '/home/me/tfzoo-other/file',
    });
  });

  const rows = [
    row('pytorch', 50),
    row('onnxruntime', 100),
    row('wasm-1', 10),
    row('cpu', undefined, 'skipped'),
  ];

  it('gives each tfzoo backend its ratios against PyTorch and onnxruntime', () => {
    const cells = compare(rows, 'resnet18', { mode: 'inference', batch: 1 }, ['wasm-1', 'cpu']);
    expect(cells[0]).toMatchObject({ imagesPerSecond: 10, vsPytorch: 0.2, vsOnnxruntime: 0.1 });
    expect(cells[1]?.imagesPerSecond).toBeUndefined();
    expect(cells[1]?.vsPytorch).toBeUndefined();
  });

  it('renders a markdown table with the ratios and a well-formed SVG', () => {
    const report: BenchReport = {
      schema: 'tfzoo-bench/1',
      command: 'npm run bench -w @tfzoo/bench',
      options: {
        models: ['resnet18'],
        runtimes: ['pytorch', 'onnxruntime', 'wasm-1', 'cpu'],
        cases: [{ mode: 'inference', batch: 1 }],
        warmup: 1,
        repeats: 3,
        rowBudgetSeconds: 60,
        peerBudgetSeconds: 120,
        imageSize: 224,
        seed: 1,
        tolerance: 1e-3,
        out: '/tmp',
        name: 'cpu',
      },
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T01:00:00.000Z',
      machine: { cpu: parseCpuInfo(CPUINFO), cores: 2, memoryBytes: 2 ** 34, os: 'linux-x64', node: 'v20' },
      load: { before: { at: '', loadavg: [1, 2, 3] } },
      versions: {},
      runtimes: [
        {
          key: 'pytorch',
          label: 'PyTorch <2 thr>',
          kind: 'pytorch',
          threads: 2,
          trains: true,
          available: true,
        },
        {
          key: 'onnxruntime',
          label: 'ORT & co',
          kind: 'onnxruntime',
          threads: 2,
          trains: false,
          available: true,
        },
        {
          key: 'wasm-1',
          label: 'wasm',
          kind: 'tfjs',
          backend: 'wasm',
          threads: 1,
          trains: true,
          available: true,
        },
        { key: 'cpu', label: 'cpu', kind: 'tfjs', backend: 'cpu', threads: 1, trains: true, available: true },
      ],
      models: [{ id: 'resnet18', label: 'ResNet-18', torchvision: 'resnet18', packages: [] }],
      workers: [],
      rows,
    };
    const markdown = renderMarkdown(report, 'cpu.svg');
    expect(markdown).toContain('| ResNet-18 | **50.0** | **100** | **10.0** (0.20× / 0.10×) | skipped |');
    // Peak memory: the wasm heap (each buffer once) next to TF.js's per-tensor count.
    const measured = rows.map((r) =>
      r.runtime === 'wasm-1'
        ? { ...r, peakRssBytes: 2 ** 30, heapBytes: 2 ** 29, peakTensorBytes: 3 * 2 ** 28 }
        : { ...r, peakRssBytes: 2 ** 29 },
    );
    expect(renderMarkdown({ ...report, rows: measured })).toContain(
      '| ResNet-18 | inference b1 | 512 MiB | 512 MiB | 1.00 GiB (heap 512 MiB, tensors 768 MiB) | – |',
    );
    // A 1-min load of 1 before the start: other processes were running, and the page says so.
    expect(markdown).toContain('Other processes were running when the run started');
    const idle = renderMarkdown({ ...report, load: { before: { at: '', loadavg: [0.3, 0.3, 0.6] } } });
    expect(idle).toContain('The machine was otherwise idle when the run started');
    expect(idle).not.toContain('Other processes were running');
    const svg = renderChart(report);
    checkXml(svg);
    expect(svg).toContain('PyTorch &lt;2 thr&gt;');
    expect(svg).toContain('ORT &amp; co');
    expect(markdown).not.toContain('SwiftShader');

    // The GPU page: ratios against the CUDA peers, the GPU fingerprint, and WebGPU on SwiftShader flagged.
    const gpu: BenchReport = {
      ...report,
      options: { ...report.options, runtimes: ['pytorch-cuda', 'pytorch-cuda-tf32', 'webgpu'], name: 'gpu' },
      gpus: parseNvidiaSmi('NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB, 9.0, 00000000:19:00.0\n'),
      runtimes: [
        {
          key: 'pytorch-cuda',
          label: 'PyTorch CUDA fp32',
          kind: 'pytorch',
          threads: 1,
          trains: true,
          available: true,
        },
        {
          key: 'pytorch-cuda-tf32',
          label: 'PyTorch TF32',
          kind: 'pytorch',
          threads: 1,
          trains: true,
          available: true,
        },
        {
          key: 'webgpu',
          label: 'tfzoo WebGPU',
          kind: 'tfjs',
          backend: 'webgpu',
          threads: 1,
          trains: true,
          available: true,
          info: {
            adapter: {
              description: 'SwiftShader driver 5.0.0',
              architecture: 'swiftshader',
              isFallbackAdapter: true,
            },
          },
        },
      ],
      rows: [row('pytorch-cuda', 400), row('pytorch-cuda-tf32', 800), row('webgpu', 100)],
    };
    const page = renderMarkdown(gpu);
    expect(page).toContain('| ResNet-18 | **400** | **800** | **100** (0.25× / 0.13×) |');
    expect(page).toContain('SwiftShader numbers are not GPU numbers');
    expect(page).toContain('NVIDIA H100 80GB HBM3, 81559 MiB, compute capability 9.0, driver 550.54.15');
  });

  it('draws bars in proportion on a log scale', () => {
    const svg = barChartSvg({
      title: 't',
      unit: 'img/s',
      series: [{ key: 'a', label: 'a', color: '#000' }],
      sections: [
        {
          title: 's',
          groups: [
            {
              label: 'g',
              bars: [
                { series: 'a', value: 10 },
                { series: 'a', value: 100 },
                { series: 'a', note: 'skipped' },
              ],
            },
          ],
        },
      ],
    });
    checkXml(svg);
    const widths = [...svg.matchAll(/<rect x="150" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    // 1 → 10 → 100 spans two decades over the plot: 10 sits at half of 100's length.
    expect((widths[0] as number) / (widths[1] as number)).toBeCloseTo(0.5, 2);
    expect(svg).toContain('a: skipped');
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
