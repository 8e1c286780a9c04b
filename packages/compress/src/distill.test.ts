import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { withSeed } from '@tfzoo/core';
import type { TensorBatch } from '@tfzoo/datasets';
import { compose, DataLoader, normalize, randomHorizontalFlip, toFloat } from '@tfzoo/datasets';
import { AdamW, SGD } from '@tfzoo/optimizers';
import { type BatchLogs, loadCheckpoint, ModelCheckpoint, type TrainCallback } from '@tfzoo/train';
import { describe, expect, it } from 'vitest';
import { distill, TeacherBatches } from './distill.js';
import { randomImages, randomLoader, smallLenet } from './test-data.js';

/** A teacher with dropout and batch-norm: its logits differ between training and inference mode. */
function teacherModel(classes = 10): tfl.LayersModel {
  return withSeed(3, () =>
    tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [28, 28, 1] }),
        tfl.layers.dense({ units: 32, activation: 'relu' }),
        tfl.layers.batchNormalization(),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.dense({ units: classes }),
      ],
    }),
  );
}

function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** α·CE + (1 − α)·T²·KL(softmax(t/T) ‖ softmax(s/T)), mean over rows, by hand. */
function handLoss(
  student: number[][],
  teacher: number[][],
  labels: number[],
  T: number,
  alpha: number,
): number {
  let sum = 0;
  student.forEach((s, i) => {
    const ce = -Math.log(softmax(s)[labels[i]!]!);
    const p = softmax(teacher[i]!.map((v) => v / T));
    const q = softmax(s.map((v) => v / T));
    const kl = p.reduce((acc, pj, j) => acc + pj * (Math.log(pj) - Math.log(q[j]!)), 0);
    sum += alpha * ce + (1 - alpha) * T * T * kl;
  });
  return sum / student.length;
}

describe('distill', () => {
  it("the step's loss equals the hand-computed distillation loss, with the teacher in inference mode", async () => {
    const teacher = teacherModel();
    const student = smallLenet();
    const loader = randomLoader(8, 8, 4);
    // what the loop will see: the one batch of epoch 0
    const [batch] = await (async () => {
      const out = [];
      for await (const b of loader.tensors(0)) out.push(b);
      return out;
    })();
    const s = (student.predict(batch!.x) as tf.Tensor).arraySync() as number[][];
    const t = (teacher.predict(batch!.x) as tf.Tensor).arraySync() as number[][];
    const labels = Array.from(await batch!.y.data());
    tf.dispose([batch!.x, batch!.y]);
    const teacherBefore = new Map(teacher.weights.map((w) => [w.name, w.read().dataSync().slice()]));
    const logs: BatchLogs[] = [];
    const spy: TrainCallback = { onBatchEnd: (_b, l) => void logs.push({ ...l }) };
    const before = tf.memory().numTensors;
    await distill({
      teacher,
      student,
      data: loader,
      epochs: 1,
      optimizer: new SGD({ learningRate: 0.1 }),
      temperature: 3,
      alpha: 0.3,
      callbacks: [spy],
    });
    expect(logs).toHaveLength(1);
    expect(logs[0]!.loss).toBeCloseTo(handLoss(s, t, labels, 3, 0.3), 5);
    for (const w of teacher.weights) expect(w.read().dataSync()).toEqual(teacherBefore.get(w.name));
    expect(tf.memory().numTensors).toBe(before); // teacher logits released; plain SGD keeps no state
    teacher.dispose();
    student.dispose();
  });

  it('refuses a teacher whose class count differs from the student, and a softmax output', async () => {
    const teacher = teacherModel(5);
    const student = smallLenet();
    await expect(
      distill({
        teacher,
        student,
        data: randomLoader(8, 8),
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
      }),
    ).rejects.toThrow('the teacher outputs 5 classes but the student 10');
    await expect(
      distill({
        teacher: teacherModel(),
        student,
        data: randomLoader(8, 8),
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
        temperature: 0,
      }),
    ).rejects.toThrow(/temperature/);
    // train's own options pass through to it (its check answers), its feature cache does not.
    await expect(
      distill({
        teacher: teacherModel(),
        student,
        data: randomLoader(8, 8),
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
        accumulateSteps: 0,
      }),
    ).rejects.toThrow(/accumulateSteps.*positive integer/);
    await expect(
      distill({
        teacher: teacherModel(),
        student,
        data: randomLoader(8, 8),
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
        cacheFeatures: true,
      } as never),
    ).rejects.toThrow(/cacheFeatures/);
    const softmaxTeacher = withSeed(4, () =>
      tfl.sequential({
        layers: [
          tfl.layers.flatten({ inputShape: [28, 28, 1] }),
          tfl.layers.dense({ units: 10 }),
          tfl.layers.activation({ activation: 'softmax' }),
        ],
      }),
    );
    await expect(
      distill({
        teacher: softmaxTeacher,
        student,
        data: randomLoader(8, 8),
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
      }),
    ).rejects.toThrow(
      "the teacher ends in a softmax; distillation needs logits (build it with classifierActivation 'linear')",
    );
    await expect(
      distill({
        teacher: student,
        student: softmaxTeacher,
        data: randomLoader(8, 8),
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
      }),
    ).rejects.toThrow(/the student ends in a softmax/);
    softmaxTeacher.dispose();
    teacher.dispose();
    student.dispose();
  });
});

describe('distill with augmentation, checkpoints and resume', () => {
  it('an interrupted run resumed from its checkpoint ends where the uninterrupted run ends', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfzoo-distill-'));
    const make = () => ({
      teacher: teacherModel(),
      student: smallLenet(7),
      optimizer: new AdamW({ learningRate: 1e-3 }),
      data: new DataLoader(randomImages(16, 6), {
        batchSize: 8,
        shuffle: true,
        seed: 3,
        transform: compose(randomHorizontalFlip(), toFloat(), normalize([0.5], [0.25])),
      }),
      epochs: 2,
      temperature: 2,
      alpha: 0.25,
    });
    const weightsOf = (m: tfl.LayersModel) => m.weights.map((w) => w.read().dataSync().slice());
    const a = make();
    await distill(a);
    const expected = weightsOf(a.student);

    const b = make();
    const controller = new AbortController();
    const stopper: TrainCallback = {
      onBatchEnd: (_b, _l, ctx) => {
        if (ctx.state.step === 3) controller.abort();
      },
    };
    const first = await distill({
      ...b,
      callbacks: [stopper, new ModelCheckpoint({ dir })],
      signal: controller.signal,
    });
    expect(first.interrupted).toBe(true);

    const c = make();
    const manifest = await loadCheckpoint(join(dir, 'last'), c.student, c.optimizer);
    expect(manifest.state).toEqual({ epoch: 1, step: 3, batchInEpoch: 1 });
    await distill({ ...c, initialState: manifest.state });
    weightsOf(c.student).forEach((w, i) => {
      for (let j = 0; j < w.length; j++) expect(w[j]).toBeCloseTo(expected[i]![j]!, 5);
    });
    for (const run of [a, b, c]) {
      run.teacher.dispose();
      run.student.dispose();
    }
    await rm(dir, { recursive: true, force: true });
  });
});

describe('teacher logits cached per image', () => {
  it('run the teacher in the first epoch only and train the student exactly as without the cache', async () => {
    const run = async (cacheTeacher: boolean) => {
      const teacher = teacherModel();
      let calls = 0;
      const apply = teacher.apply.bind(teacher);
      teacher.apply = ((...args: Parameters<typeof apply>) => {
        calls++;
        return apply(...args);
      }) as typeof teacher.apply;
      // a dense student: the test is about the teacher's calls, and convolution gradients are slow here
      const student = withSeed(5, () =>
        tfl.sequential({
          layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10 })],
        }),
      );
      const before = tf.memory().numTensors;
      await distill({
        teacher,
        student,
        data: randomLoader(16, 8, 2), // shuffled: later epochs pair the images differently
        epochs: 2,
        optimizer: new SGD({ learningRate: 0.1 }),
        temperature: 2,
        alpha: 0.3,
        cacheTeacher,
      });
      expect(tf.memory().numTensors).toBe(before);
      const weights = student.weights.map((w) => Array.from(w.read().dataSync()));
      teacher.dispose();
      student.dispose();
      return { calls, weights };
    };
    const plain = await run(false);
    const cached = await run(true);
    expect(plain.calls).toBe(4); // 2 batches × 2 epochs
    expect(cached.calls).toBe(2); // 2 batches of the first epoch
    expect(cached.weights).toEqual(plain.weights);
  });

  it("passes gradientCheckpointing to the student's training: the weights of the plain run", async () => {
    const run = async (gradientCheckpointing: boolean) => {
      const teacher = teacherModel();
      // two stride-2 stages, so the student has stages to checkpoint
      const student = withSeed(6, () =>
        tfl.sequential({
          layers: [
            tfl.layers.conv2d({
              inputShape: [28, 28, 1],
              filters: 4,
              kernelSize: 3,
              strides: 2,
              padding: 'same',
            }),
            tfl.layers.batchNormalization(),
            tfl.layers.reLU(),
            tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
            tfl.layers.globalAveragePooling2d({}),
            tfl.layers.dense({ units: 10 }),
          ],
        }),
      );
      const before = tf.memory().numTensors;
      let estimated: boolean | undefined;
      await distill({
        teacher,
        student,
        data: randomLoader(16, 8, 3),
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
        temperature: 2,
        alpha: 0.3,
        gradientCheckpointing,
        onMemoryEstimate: (estimate) => {
          estimated = estimate.gradientCheckpointing;
        },
      });
      expect(estimated).toBe(gradientCheckpointing); // train() took the option
      expect(tf.memory().numTensors).toBe(before);
      const weights = student.weights.map((w) => Array.from(w.read().dataSync()));
      teacher.dispose();
      student.dispose();
      return weights;
    };
    const plain = await run(false);
    const checkpointed = await run(true);
    expect(checkpointed.length).toBe(plain.length);
    checkpointed.forEach((w, i) => {
      const p = plain[i]!;
      const scale = Math.max(...p.map(Math.abs), 1e-6);
      expect(Math.max(...w.map((v, j) => Math.abs(v - p[j]!)))).toBeLessThanOrEqual(1e-5 * scale);
    });
  });

  it('counts teacher runs, skips batches without indices and refuses unknown options', async () => {
    const teacher = teacherModel();
    const x = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1], 'int32');
    const batches = new TeacherBatches([{ x, y } as unknown as TensorBatch], teacher, { cache: true });
    for (let pass = 0; pass < 2; pass++) {
      for await (const batch of batches) expect(batches.teacherLogits(batch.y)?.shape).toEqual([2, 10]);
    }
    expect(batches.teacherRuns).toBe(2); // no indices: nothing to key the cache by
    expect(() => new TeacherBatches([], teacher, { cache: 1 } as never)).toThrow(/cache.*received 1/);
    expect(() => new TeacherBatches([], teacher, { cahce: true } as never)).toThrow(/cahce/);
    tf.dispose([x, y]);
    teacher.dispose();
  });
});
