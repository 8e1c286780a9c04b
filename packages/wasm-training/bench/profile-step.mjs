// Per-kernel time of one training step on wasm, with the bench's model and batch
// (diagnostic; node bench/profile-step.mjs [threads] [resnet18|lenet5]).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@tfzoo/core';
import '@tfzoo/wasm-training';

const threads = Number(process.argv[2] ?? 1);
await initBackend('wasm', { threads });
const { buildModel, MODELS } = await import('./train-bench.mjs');
const arch = process.argv[3] ?? 'resnet18';
const model = await buildModel(tfl, arch);
model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
const spec = MODELS.find((m) => m.name === arch);
const x = tf.randomNormal([spec.batch, ...spec.shape]);
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: spec.batch }, (_, i) => i % spec.classes),
    'int32',
  ),
  spec.classes,
);
await model.trainOnBatch(x, y);
const t0 = performance.now();
const profile = await tf.profile(async () => {
  await model.trainOnBatch(x, y);
});
const total = performance.now() - t0;
const byName = new Map();
for (const k of profile.kernels) {
  const ms = await k.kernelTimeMs;
  const key = k.name;
  const e = byName.get(key) ?? { ms: 0, n: 0 };
  e.ms += typeof ms === 'number' ? ms : 0;
  e.n++;
  byName.set(key, e);
}
const rows = [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
console.log(`step (profiled) ${total.toFixed(0)} ms`);
for (const [name, e] of rows) console.log(`${name.padEnd(40)} ${e.ms.toFixed(0).padStart(7)} ms  ×${e.n}`);
