// Where the time of one resnet18.fmnist fine-tuning step goes on the wasm backend: forward in
// inference mode, forward in training mode, forward + backward (median of 5), then tf.profile's
// kernel times of one step. `node packages/compress/scripts/profile-step.mjs [threads] [batch]`.
import * as tf from '@tensorflow/tfjs-core';
import '@tfzoo/wasm-training';
import { initBackend } from '@tfzoo/core';
import { resnet18Fmnist } from './fmnist-models.mjs';

const threads = Number(process.argv[2] ?? 2);
const batch = Number(process.argv[3] ?? 64);
await initBackend(['wasm'], { threads });
const model = await resnet18Fmnist();
const x = tf.randomNormal([batch, 28, 28, 1]);
const y = tf.tensor1d(
  Array.from({ length: batch }, (_, i) => i % 10),
  'int32',
);
const vars = model.trainableWeights.map((w) => w.read());
const ce = (logits) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), logits);
async function median(fn, runs = 5) {
  await fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(runs / 2)];
}
const infer = await median(async () => {
  const o = model.apply(x, { training: false });
  await o.data();
  o.dispose();
});
const fwdTrain = await median(async () => {
  const o = model.apply(x, { training: true });
  await o.data();
  o.dispose();
});
const step = await median(async () => {
  const { value, grads } = tf.variableGrads(
    () => ce(model.apply(x, { training: true })),
    vars.filter((v) => v.trainable),
  );
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
});
console.log(
  JSON.stringify({
    threads,
    batch,
    ms: { infer, fwdTrain, step },
    perImage: { infer: infer / batch, step: step / batch },
  }),
);
const profile = await tf.profile(async () => {
  const { value, grads } = tf.variableGrads(
    () => ce(model.apply(x, { training: true })),
    vars.filter((v) => v.trainable),
  );
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
});
const byKernel = new Map();
for (const k of profile.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  byKernel.set(
    k.name,
    (byKernel.get(k.name) ?? [0, 0]).map((v, i) => v + [ms, 1][i]),
  );
}
const rows = [...byKernel].sort((a, b) => b[1][0] - a[1][0]).slice(0, 12);
const total = [...byKernel.values()].reduce((s, v) => s + v[0], 0);
for (const [name, [ms, n]] of rows)
  console.log(
    `${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms ${n} calls ${((100 * ms) / total).toFixed(1)}%`,
  );
