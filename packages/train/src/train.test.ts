import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, ZooError } from '@tfzoo/core';
import {
  ArrayImageDataset,
  compose,
  DataLoader,
  normalize,
  randomHorizontalFlip,
  type TensorBatch,
  toFloat,
} from '@tfzoo/datasets';
import { accuracy, topKAccuracy } from '@tfzoo/metrics';
import { AdamW, cosineAnnealingLR, SGD } from '@tfzoo/optimizers';
import { seededRandom } from '@tfzoo/test-harness';
// The gradient kernels (and the leak-free Identity) wasm training needs.
import '@tfzoo/wasm-training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  balancedClassWeights,
  EarlyStopping,
  evaluate,
  featureExtractor,
  freeze,
  loadCheckpoint,
  MetricsLogger,
  ModelCheckpoint,
  ProgressBar,
  renderTrainingChart,
  replaceHead,
  saveCheckpoint,
  type TrainCallback,
  train,
  unfreeze,
} from './index.js';

/** A tiny conv net with batch-norm: 8×8×1 → 3 classes. Deterministic initial weights by seed. */
function tinyModel(seed = 1): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  let x = tfl.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      name: 'stem_conv',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu', name: 'stem_relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .dense({ units: 3, name: 'fc', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x, name: 'tiny' });
}

/** 3 classes told apart by which third of the image is bright. */
function stripes(n: number, seed = 0): ArrayImageDataset {
  const images = new Uint8Array(n * 64);
  const labels = new Int32Array(n);
  let s = seed + 1;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    labels[i] = label;
    for (let p = 0; p < 64; p++) {
      const col = p % 8;
      const bright = Math.floor(col / 3) === label;
      images[i * 64 + p] = Math.round((bright ? 180 : 40) + rand() * 60);
    }
  }
  return new ArrayImageDataset({ images, labels, shape: [8, 8, 1], classes: ['a', 'b', 'c'] });
}

const transform = compose(toFloat(), normalize([0.4], [0.3]));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfzoo-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.weights
    .map((w) => (w.read() as tf.Tensor).dataSync() as Float32Array)
    .map((a) => Float32Array.from(a));
}

describe('train', () => {
  it('learns a separable problem, leaks no tensors, and reports history', async () => {
    const model = tinyModel();
    const data = new DataLoader(stripes(90), { batchSize: 16, shuffle: true, seed: 3, transform });
    const validation = new DataLoader(stripes(30, 7), { batchSize: 64, transform });
    const optimizer = new AdamW({ learningRate: 0.05, weightDecay: 0 });
    // warm-up step so optimizer slots exist before counting
    const before = tf.memory().numTensors;
    const history = await train({
      model,
      data,
      validation,
      epochs: 8,
      optimizer,
      metrics: ['accuracy', 'top5'],
    });
    // Optimizer state (2 slots per trainable weight + the exported step scalars) is the only growth.
    const slots = optimizer.getWeights ? (await optimizer.getWeights()).length : 0;
    const after = tf.memory().numTensors;
    expect(after - before).toBeLessThanOrEqual(slots);
    expect(history.epochs).toHaveLength(8);
    expect(history.state).toEqual({ epoch: 8, step: 8 * 6, batchInEpoch: 0 });
    expect(history.epochs[7]!.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(history.epochs[7]!.val_accuracy).toBeGreaterThan(0.9);
    expect(history.epochs[7]!.top5).toBe(1); // 3 classes: top-5 always hits
    // A second run of one more epoch adds no tensors at all (slots exist now).
    const steady = tf.memory().numTensors;
    await train({ model, data, epochs: 1, optimizer });
    expect(tf.memory().numTensors).toBe(steady);
    model.dispose();
  });

  it('runs batch-norm in training mode: moving statistics move, and evaluate uses them', async () => {
    const model = tinyModel();
    const bn = model.getLayer('stem_bn');
    const mean0 = Float32Array.from((bn.getWeights()[2] as tf.Tensor).dataSync());
    const data = new DataLoader(stripes(32), { batchSize: 16, transform });
    await train({ model, data, epochs: 1, optimizer: new SGD({ learningRate: 0.01 }) });
    const mean1 = (bn.getWeights()[2] as tf.Tensor).dataSync();
    expect(Array.from(mean1)).not.toEqual(Array.from(mean0));
    // evaluate = manual inference-mode forward
    const result = await evaluate(model, new DataLoader(stripes(12), { batchSize: 5, transform }));
    const batch = await new DataLoader(stripes(12), { batchSize: 12, transform }).tensors(0).next();
    const { x, y } = batch.value!;
    const manual = tf.tidy(() => {
      const logits = model.predict(x) as tf.Tensor;
      return tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), y), 'float32')).dataSync()[0]!;
    });
    tf.dispose([x, y]);
    expect(result.accuracy).toBeCloseTo(manual, 6);
    expect(result.samples).toBe(12);
    model.dispose();
  });

  it('refuses non-finite inputs the same way on cpu and wasm', async () => {
    const previous = tf.getBackend();
    try {
      for (const backend of ['cpu', 'wasm'] as const) {
        await initBackend(backend);
        const model = tfl.sequential({
          layers: [
            tfl.layers.flatten({ inputShape: [2, 2, 1] }),
            tfl.layers.dense({ units: 8, activation: 'relu' }),
            tfl.layers.dense({ units: 2 }),
          ],
        });
        const before = tf.memory().numTensors;
        const x = tf.tensor4d([Number.NaN, 1, 2, 3, 0, 1, 2, 3], [2, 2, 2, 1]);
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2)) as tf.Tensor2D;
        const error = await train({
          model,
          data: [{ x, y, indices: Int32Array.from([0, 1]) }],
          epochs: 1,
          optimizer: new SGD({ learningRate: 0.1 }),
        })
          .then(() => undefined)
          .catch((e: unknown) => e);
        expect(error, backend).toBeInstanceOf(ZooError);
        expect((error as ZooError).message).toBe('the training inputs of step 0 contain NaN or ±Infinity');
        expect(tf.memory().numTensors, backend).toBe(before);
        model.dispose();
      }
    } finally {
      await tf.setBackend(previous);
    }
  });

  it('evaluate counts top-1 and top-5 like @tfzoo/metrics (scikit-learn parity), ties included', async () => {
    // 10 classes and coarse weights, so tied logits happen; labels as integers in one batch and
    // one-hot in the other.
    const input = tfl.input({ shape: [6] });
    const dense = tfl.layers.dense({ units: 10, useBias: false }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: dense });
    const random = seededRandom(5);
    model.setWeights([
      tf.tensor2d(
        Array.from({ length: 60 }, () => Math.round(random() * 4 - 2)),
        [6, 10],
      ),
    ]);
    const xs = Array.from({ length: 2 }, () =>
      tf.tensor2d(
        Array.from({ length: 40 * 6 }, () => Math.round(random() * 2)),
        [40, 6],
      ),
    );
    const labels = Array.from({ length: 80 }, () => Math.floor(random() * 10));
    // Feature rows, not images: TensorBatch's x is typed NHWC, evaluate takes any model input.
    const batches = [
      { x: xs[0]!, y: tf.tensor1d(labels.slice(0, 40), 'int32') },
      { x: xs[1]!, y: tf.oneHot(tf.tensor1d(labels.slice(40), 'int32'), 10) },
    ] as unknown as TensorBatch[];
    const logits = tf.tidy(() => tf.concat(xs.map((x) => model.predict(x) as tf.Tensor)));
    const rows = (await logits.array()) as number[][];
    logits.dispose();
    const before = tf.memory().numTensors;
    // evaluate disposes each batch it has read, as it does a DataLoader's.
    const result = await evaluate(model, batches, {
      metrics: ['accuracy', 'top5'],
      loss: (_y, output) => tf.mean(tf.sum(output, -1)) as tf.Scalar,
    });
    expect(tf.memory().numTensors).toBe(before - 4);
    expect(result.accuracy).toBe(accuracy(labels, rows));
    expect(result.top5).toBe(topKAccuracy(labels, rows, { k: 5 }));
    model.dispose();
  });

  it('rejects bad options with named errors', async () => {
    const model = tinyModel();
    const data = new DataLoader(stripes(6), { batchSize: 3, transform });
    const optimizer = new SGD({ learningRate: 0.1 });
    await expect(train({ model, data, epochs: 0, optimizer })).rejects.toThrow(
      'epochs must be a positive integer',
    );
    await expect(train({ model, data: 5 as never, epochs: 1, optimizer })).rejects.toThrow(ZooError);
    freeze(model, 'all');
    await expect(train({ model, data, epochs: 1, optimizer })).rejects.toThrow('no trainable weights');
    model.dispose();
  });

  it('applies a per-step schedule and stops on abort with an exact position', async () => {
    const model = tinyModel();
    const data = new DataLoader(stripes(40), { batchSize: 8, shuffle: true, seed: 1, transform });
    const optimizer = new SGD({ learningRate: 1 });
    const schedule = (step: number) => 0.1 / (1 + step);
    const seen: number[] = [];
    const controller = new AbortController();
    const spy: TrainCallback = {
      onBatchEnd(_b, logs, ctx) {
        seen.push(logs.lr);
        if (ctx.state.step === 7) controller.abort();
      },
    };
    const history = await train({
      model,
      data,
      epochs: 3,
      optimizer,
      schedule,
      callbacks: [spy],
      signal: controller.signal,
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map(schedule));
    expect(history.interrupted).toBe(true);
    expect(history.state).toEqual({ epoch: 1, step: 7, batchInEpoch: 2 });
    model.dispose();
  });
});

describe('checkpoints', () => {
  it('resuming mid-epoch reproduces the uninterrupted run exactly (model, optimizer, schedule step)', async () => {
    const make = () => ({
      model: tinyModel(5),
      optimizer: new AdamW({ learningRate: 0.01, weightDecay: 0.01 }),
      data: new DataLoader(stripes(48), {
        batchSize: 8,
        shuffle: true,
        seed: 9,
        transform: compose(randomHorizontalFlip(), transform),
      }),
    });
    const schedule = cosineAnnealingLR({ baseLr: 0.02, tMax: 18 });
    // Uninterrupted: 3 epochs of 6 steps.
    const a = make();
    await train({ ...a, epochs: 3, schedule });
    const expected = weightsOf(a.model);

    // Interrupted after step 8 (epoch 1, batch 2), checkpointed, restored into fresh objects.
    const b = make();
    const controller = new AbortController();
    const ckpt = new ModelCheckpoint({ dir: join(dir, 'resume') });
    const stopper: TrainCallback = {
      onBatchEnd: (_b, _l, ctx) => void (ctx.state.step === 8 && controller.abort()),
    };
    const first = await train({
      ...b,
      epochs: 3,
      schedule,
      callbacks: [stopper, ckpt],
      signal: controller.signal,
    });
    expect(first.interrupted).toBe(true);
    b.model.dispose();

    const c = make();
    const manifest = await loadCheckpoint(join(dir, 'resume', 'last'), c.model, c.optimizer);
    expect(manifest.state).toEqual({ epoch: 1, step: 8, batchInEpoch: 2 });
    const lrs: number[] = [];
    const second = await train({
      ...c,
      epochs: 3,
      schedule,
      initialState: manifest.state,
      callbacks: [{ onBatchEnd: (_b, logs) => void lrs.push(logs.lr) }],
    });
    expect(lrs[0]).toBeCloseTo(schedule(8), 12);
    expect(second.state).toEqual({ epoch: 3, step: 18, batchInEpoch: 0 });
    const got = weightsOf(c.model);
    got.forEach((w, i) => {
      for (let j = 0; j < w.length; j++) expect(w[j]).toBeCloseTo(expected[i]![j]!, 5);
    });
    a.model.dispose();
    c.model.dispose();
  });

  it('refuses a corrupt checkpoint with a clear error', async () => {
    const model = tinyModel();
    const optimizer = new SGD({ learningRate: 0.1, momentum: 0.9 });
    await train({
      model,
      optimizer,
      epochs: 1,
      data: new DataLoader(stripes(12), { batchSize: 6, transform }),
    });
    const path = join(dir, 'corrupt');
    await saveCheckpoint(path, model, optimizer, { epoch: 1, step: 2, batchInEpoch: 0 });
    const bytes = await readFile(join(path, 'model.safetensors'));
    bytes[bytes.length - 3] ^= 0xff;
    await writeFile(join(path, 'model.safetensors'), bytes);
    const fresh = tinyModel();
    const error = await loadCheckpoint(path, fresh, new SGD({ learningRate: 0.1, momentum: 0.9 })).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ZooError);
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toMatch(/model\.safetensors has sha256 [0-9a-f]{64} .* refusing to resume/);
    // A manifest that names a file outside its folder is refused before anything is read.
    const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'));
    manifest.model.name = '../secret.safetensors';
    await writeFile(join(path, 'manifest.json'), JSON.stringify(manifest));
    const traversal = await loadCheckpoint(path, fresh).catch((e) => e);
    expect(traversal).toBeInstanceOf(ZooError);
    expect(traversal.code).toBe('UNSAFE_FILE');
    expect(traversal.message).toContain('"../secret.safetensors"');
    await writeFile(join(path, 'manifest.json'), '{"format": "tfzoo-checkpoint", "version": 1');
    await expect(loadCheckpoint(path, fresh)).rejects.toThrow('manifest.json is not valid JSON');
    await expect(loadCheckpoint(join(dir, 'nowhere'), fresh)).rejects.toThrow('no checkpoint at');
    model.dispose();
    fresh.dispose();
  });
});

describe('fine-tuning helpers', () => {
  it('freeze keeps frozen batch-norm in inference mode and frozen weights fixed', async () => {
    const model = tinyModel();
    const frozen = freeze(model, 'stem');
    expect(frozen).toEqual(['stem_conv', 'stem_bn', 'stem_relu']);
    const before = weightsOf(model);
    const names = model.weights.map((w) => w.originalName);
    await train({
      model,
      optimizer: new SGD({ learningRate: 0.1 }),
      epochs: 1,
      data: new DataLoader(stripes(24), { batchSize: 8, transform }),
    });
    const after = weightsOf(model);
    names.forEach((name, i) => {
      const same = after[i]!.every((v, j) => v === before[i]![j]);
      expect([name, same]).toEqual([name, !name.startsWith('fc')]);
    });
    // Called with training: true, the frozen BN normalizes with its running statistics.
    const x = tf.randomNormal([4, 8, 8, 1]);
    const bn = model.getLayer('stem_bn');
    const conv = model.getLayer('stem_conv');
    const [pinned, reference] = tf.tidy(() => {
      const h = conv.apply(x) as tf.Tensor;
      const [gamma, beta, mean, variance] = bn.getWeights() as tf.Tensor[];
      const ref = tf.add(tf.mul(tf.div(tf.sub(h, mean!), tf.sqrt(tf.add(variance!, 1e-3))), gamma!), beta!);
      return [bn.apply(h, { training: true }) as tf.Tensor, ref];
    });
    expect(Array.from(pinned.dataSync())).toEqual(Array.from(pinned.dataSync()));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(pinned, reference))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, pinned, reference]);
    // Unfrozen, it normalizes with batch statistics again.
    expect(unfreeze(model)).toEqual(['stem_conv', 'stem_bn', 'stem_relu']);
    expect(model.trainableWeights.length).toBe(4 + 2);
    expect(() => freeze(model, 'nothing_like_this')).toThrow('no layer of tiny matches nothing_like_this');
    model.dispose();
  });

  it('replaceHead gives a fresh classifier on shared features; featureExtractor stops before it', () => {
    const model = tinyModel();
    const five = replaceHead(model, 5);
    expect(five.outputs[0]!.shape).toEqual([null, 5]);
    expect(five.getLayer('stem_conv')).toBe(model.getLayer('stem_conv'));
    const features = featureExtractor(model);
    expect(features.outputs[0]!.shape).toEqual([null, 4]);
    five.getLayer('fc').dispose();
    model.dispose();
  });

  it('balanced class weights match scikit-learn compute_class_weight("balanced")', () => {
    // labels [0,0,0,1,2,2]: n=6, k=3 → 6/(3·3), 6/(3·1), 6/(3·2) (hand-computed, sklearn's formula).
    expect(balancedClassWeights([0, 0, 0, 1, 2, 2], 3)).toEqual([2 / 3, 2, 1]);
    expect(balancedClassWeights([0, 0], 2)).toEqual([0.5, 0]); // 2 / (2·2)
    expect(() => balancedClassWeights([3], 3)).toThrow('labels[0] must be');
  });
});

describe('callbacks', () => {
  const logs = (epoch: number, loss: number, acc: number) => ({
    epoch,
    loss,
    lr: 0.1,
    seconds: 1,
    samplesPerSecond: 10,
    accuracy: acc,
    val_loss: loss + 0.1,
    val_accuracy: acc - 0.05,
  });

  it('EarlyStopping stops after patience epochs without improvement', () => {
    const stopper = new EarlyStopping({ monitor: 'val_loss', patience: 2 });
    const context = { stopTraining: false } as never as Parameters<EarlyStopping['onEpochEnd']>[2];
    for (const [i, loss] of [1, 0.8, 0.85, 0.9].entries()) {
      stopper.onEpochEnd(i, logs(i, loss, 0.5), context);
      expect(context.stopTraining).toBe(i === 3);
    }
  });

  it('MetricsLogger writes JSONL and CSV with an SVG chart beside them', async () => {
    for (const name of ['log.jsonl', 'log.csv']) {
      const logger = new MetricsLogger({ path: join(dir, 'logs', name) });
      await logger.onTrainBegin();
      await logger.onEpochEnd(0, logs(0, 1, 0.5));
      await logger.onEpochEnd(1, logs(1, 0.5, 0.8));
      const text = await readFile(join(dir, 'logs', name), 'utf8');
      if (name.endsWith('.csv')) {
        expect(text.split('\n')[0]).toBe(
          'epoch,loss,lr,seconds,samplesPerSecond,accuracy,val_loss,val_accuracy',
        );
        expect(text.split('\n')[2]).toBe('1,0.5,0.1,1,10,0.8,0.6,0.75');
      } else {
        expect(
          text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l).loss),
        ).toEqual([1, 0.5]);
      }
    }
    const svg = await readFile(join(dir, 'logs', 'log.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(4); // train/val loss, train/val accuracy
    expect(renderTrainingChart([])).toContain('</svg>');
  });

  it('ProgressBar prints plain lines off a TTY, redraws on a TTY, and nothing when quiet', async () => {
    const run = async (stream: { write(t: string): void; isTTY?: boolean }, quiet = false) => {
      const model = tinyModel();
      await train({
        model,
        optimizer: new SGD({ learningRate: 0.01 }),
        epochs: 1,
        data: new DataLoader(stripes(40), { batchSize: 4, transform }),
        callbacks: [new ProgressBar({ stream, quiet })],
      });
      model.dispose();
    };
    let plain = '';
    await run({
      write: (t) => {
        plain += t;
      },
    });
    const lines = plain.trim().split('\n');
    expect(lines).toHaveLength(11); // every 1/10 epoch + summary
    expect(lines[0]).toMatch(
      /^epoch 1\/1 batch 1\/10 {2}loss \d\.\d{4} {2}acc \d\.\d{4} {2}lr 1\.00e-2 {2}\d+ img\/s {2}ETA /,
    );
    expect(plain).not.toContain('\r');
    let tty = '';
    await run({
      write: (t) => {
        tty += t;
      },
      isTTY: true,
    });
    expect(tty).toContain('\r\x1b[2K');
    let quiet = '';
    await run(
      {
        write: (t) => {
          quiet += t;
        },
      },
      true,
    );
    expect(quiet).toBe('');
  });
});
