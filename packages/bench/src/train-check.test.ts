import { describe, expect, it } from 'vitest';
import {
  type EstimateSummary,
  formLabel,
  isHeapFailure,
  microBatchFits,
  nextForm,
  PLAIN_FORM,
  parseTrainCheckArgs,
  renderTrainCheckMarkdown,
  type TrainAttempt,
  type TrainCheckReport,
} from './train-check.js';

const IDS = ['lenet5', 'resnet18', 'resnet50'];
const parse = (argv: string[]) => parseTrainCheckArgs(argv, IDS, '/default/out', (p) => `/cwd/${p}`);

describe('parseTrainCheckArgs', () => {
  it('applies the defaults: every id, batch 16, 2 threads, 10 min per model', () => {
    expect(parse([])).toEqual({
      models: IDS,
      batch: 16,
      threads: 2,
      timeoutMinutes: 10,
      seed: 1,
      out: '/default/out',
      name: 'wasm-train',
    });
  });

  it('reads --flag value and --flag=value, and resolves --out', () => {
    const options = parse([
      '--models',
      'resnet50,lenet5',
      '--batch=8',
      '--threads',
      '1',
      '--out',
      'x',
      '--name=n',
    ]);
    expect(options).toMatchObject({
      models: ['resnet50', 'lenet5'],
      batch: 8,
      threads: 1,
      out: '/cwd/x',
      name: 'n',
    });
    expect(parse(['--deadline', '30', '--timeout', '2.5'])).toMatchObject({
      deadlineMinutes: 30,
      timeoutMinutes: 2.5,
    });
  });

  it('refuses unknown flags and ids, stray arguments, bad numbers and missing values', () => {
    expect(() => parse(['--batchsize', '4'])).toThrow('unknown option --batchsize');
    expect(() => parse(['--models', 'resnet18,vgg99'])).toThrow('unknown model id vgg99');
    expect(() => parse(['resnet18'])).toThrow('unexpected argument "resnet18"');
    expect(() => parse(['--batch', '0'])).toThrow('--batch must be a positive integer; received "0"');
    expect(() => parse(['--threads', '1.5'])).toThrow('--threads must be a positive integer');
    expect(() => parse(['--seed', 'x'])).toThrow('--seed must be an integer');
    expect(() => parse(['--batch'])).toThrow('--batch needs a value');
    expect(() => parse(['--name', 'a', '--name', 'b'])).toThrow('--name given twice');
    expect(parse(['--models', 'resnet18', '-h'])).toBe('help');
    expect(parse(['--resume'])).toMatchObject({ resume: true });
    expect(parse([])).not.toHaveProperty('resume');
  });
});

// 100 MiB of weights, 50 MiB trainable, SGD without momentum (0 slots): fixed 150 MiB.
const MiB = 2 ** 20;
const estimate = (over: Partial<EstimateSummary>): EstimateSummary => ({
  batchSize: 16,
  gradientCheckpointing: false,
  activationBytesPerSample: 0,
  weightBytes: 100 * MiB,
  trainableBytes: 50 * MiB,
  optimizerSlots: 0,
  totalBytes: 0,
  limitBytes: 4096 * MiB,
  ...over,
});

describe('microBatchFits', () => {
  it("scales the estimate's per-sample bytes to the micro-batch", () => {
    // 150 MiB fixed + 16 × 500 MiB = 8150 MiB: 500 MiB a sample; 7 samples fit 4096 MiB, 8 do not.
    const e = estimate({ totalBytes: 8150 * MiB });
    expect(microBatchFits(e, 7)).toBe(true); // 150 + 3500 = 3650
    expect(microBatchFits(e, 8)).toBe(false); // 150 + 4000 = 4150
    expect(microBatchFits({ ...e, limitBytes: undefined }, 16)).toBe(true);
    // train's fixed bytes (packed kernels, accumulated gradients) when the estimate gives them:
    // 1350 MiB fixed + 16 × 425 MiB = 8150 MiB; 6 samples fit (3900 MiB), 7 do not (4325 MiB).
    const packed = { ...e, fixedBytes: 1350 * MiB };
    expect(microBatchFits(packed, 6)).toBe(true);
    expect(microBatchFits(packed, 7)).toBe(false);
  });
});

describe('nextForm', () => {
  const attempt = (form: TrainAttempt['form'], outcome: TrainAttempt['outcome'], e?: EstimateSummary) => ({
    form,
    outcome,
    ...(e ? { estimate: e } : {}),
  });

  it('starts plain and stops after a step that worked, an error or a timeout', () => {
    expect(nextForm(16, [])).toEqual(PLAIN_FORM);
    expect(nextForm(16, [attempt(PLAIN_FORM, 'ok')])).toBeUndefined();
    expect(nextForm(16, [attempt(PLAIN_FORM, 'error')])).toBeUndefined();
    expect(nextForm(16, [attempt(PLAIN_FORM, 'timeout')])).toBeUndefined();
  });

  it('goes plain → checkpointed → checkpointed with the fewest micro-batches that fit', () => {
    const ckpt = { gradientCheckpointing: true, accumulateSteps: 1 };
    const tried = [attempt(PLAIN_FORM, 'memory', estimate({ totalBytes: 20000 * MiB }))];
    expect(nextForm(16, tried)).toEqual(ckpt);
    // Checkpointed: 150 MiB + 16 × 300 MiB = 4950 MiB. 8 samples (3750 MiB) fit, so 2 × 8.
    tried.push(attempt(ckpt, 'memory', estimate({ gradientCheckpointing: true, totalBytes: 4950 * MiB })));
    expect(nextForm(16, tried)).toEqual({ gradientCheckpointing: true, accumulateSteps: 2 });
    // 600 MiB a sample: 6 fit, 8 do not; 16 = 4 × 4 (3 and 6 do not divide 16).
    const heavy = [
      attempt(ckpt, 'memory', estimate({ gradientCheckpointing: true, totalBytes: 9750 * MiB })),
    ];
    expect(nextForm(16, [tried[0] as TrainAttempt, ...heavy])).toEqual({
      gradientCheckpointing: true,
      accumulateSteps: 4,
    });
  });

  it('after a heap failure the estimate said would fit, takes the next divisor; ends at batch-1 micro-batches', () => {
    const fits = estimate({ gradientCheckpointing: true, totalBytes: 1000 * MiB });
    const two = { gradientCheckpointing: true, accumulateSteps: 2 };
    expect(
      nextForm(16, [attempt(PLAIN_FORM, 'memory'), attempt({ ...two, accumulateSteps: 1 }, 'memory', fits)]),
    ).toEqual(two);
    expect(nextForm(16, [attempt(PLAIN_FORM, 'memory'), attempt(two, 'memory', fits)])).toEqual({
      gradientCheckpointing: true,
      accumulateSteps: 4,
    });
    const last = { gradientCheckpointing: true, accumulateSteps: 16 };
    expect(nextForm(16, [attempt(PLAIN_FORM, 'memory'), attempt(last, 'memory', fits)])).toBeUndefined();
  });

  it('accumulates without checkpointing when the model has no stages', () => {
    const plain = estimate({ totalBytes: 8150 * MiB }); // 500 MiB a sample: 4 × 4
    const tried = [
      attempt(PLAIN_FORM, 'memory', plain),
      attempt({ gradientCheckpointing: true, accumulateSteps: 1 }, 'no-stages'),
    ];
    expect(nextForm(16, tried)).toEqual({ gradientCheckpointing: false, accumulateSteps: 4 });
  });
});

describe('formLabel and isHeapFailure', () => {
  it('names the forms', () => {
    expect(formLabel(PLAIN_FORM, 16)).toBe('plain');
    expect(formLabel({ gradientCheckpointing: true, accumulateSteps: 4 }, 16)).toBe(
      'checkpointed, 4 × 4 accumulated',
    );
  });

  it('tells heap failures from other errors', () => {
    expect(isHeapFailure('RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded')).toBe(true);
    expect(isHeapFailure('Aborted(OOM)')).toBe(true);
    expect(isHeapFailure('Kernel Conv2DBackpropFilter not registered for backend wasm')).toBe(false);
  });
});

describe('renderTrainCheckMarkdown', () => {
  it('puts the working form of each model in the table and the failed forms beside it', () => {
    const report: TrainCheckReport = {
      schema: 'tfzoo-train-check/1',
      command: 'npm run train-check -w @tfzoo/bench',
      options: {
        models: ['resnet50', 'vgg99'],
        batch: 16,
        threads: 2,
        timeoutMinutes: 10,
        seed: 1,
        out: 'o',
        name: 'n',
      },
      startedAt: '2026-12-06T21:00:00.000Z',
      finishedAt: '2026-12-06T21:10:00.000Z',
      machine: {
        cpu: { model: 'cpu', logicalProcessors: 2, flags: [], simd: ['avx2'] },
        cores: 2,
        memoryBytes: 8 * 2 ** 30,
        os: 'linux-x64',
        node: 'v20',
      },
      load: {
        before: { at: '2026-12-06T21:00:00.000Z', loadavg: [1, 1, 1] },
        after: { at: '2026-12-06T21:10:00.000Z', loadavg: [2, 1.5, 1] },
      },
      versions: { '@tensorflow/tfjs-core': '4.22.0' },
      entries: [
        {
          model: 'resnet50',
          family: 'resnet',
          status: 'ok',
          attempts: [
            { form: PLAIN_FORM, outcome: 'memory', error: 'needs about 5.00 GiB', inputShape: [224, 224, 3] },
            {
              form: { gradientCheckpointing: true, accumulateSteps: 1 },
              outcome: 'ok',
              inputShape: [224, 224, 3],
              stepSeconds: [20, 30],
              peakRssBytes: 3 * 2 ** 30,
              peakTensorBytes: 2 * 2 ** 30,
              estimate: estimate({ totalBytes: 2.5 * 2 ** 30 }),
            },
          ],
        },
        { model: 'vgg99', family: 'vgg', status: 'not run', reason: 'the deadline had passed', attempts: [] },
      ],
    };
    const page = renderTrainCheckMarkdown(report);
    expect(page).toContain('**1 of 2 models took a step** (0 failed, 1 not run)');
    expect(page).toContain(
      '| resnet50 | 224×224×3 | checkpointed | 25.0 | 3.00 GiB | 2.00 GiB | 2.50 GiB | plain: needs about 5.00 GiB |',
    );
    expect(page).toContain('| vgg99 |  | **not run**: the deadline had passed |');
    expect(page).toContain('before: 1.00 / 1.00 / 1.00');
  });
});
