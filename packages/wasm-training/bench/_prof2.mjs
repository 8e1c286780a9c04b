import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@tfzoo/core';
import '@tfzoo/wasm-training';
const threads = Number(process.argv[2] ?? 1);
await initBackend('wasm', { threads });
const { buildModel, MODELS } = await import('./train-bench.mjs');
const arch = 'resnet18';
const model = await buildModel(tfl, arch);
model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
const spec = MODELS.find((m) => m.name === arch);
const x = tf.randomNormal([spec.batch, ...spec.shape]);
const y = tf.oneHot(tf.tensor1d(Array.from({ length: spec.batch }, (_, i) => i % spec.classes), 'int32'), spec.classes);
await model.trainOnBatch(x, y);
for (let r=0;r<3;r++){ const t=performance.now(); await model.trainOnBatch(x,y); console.log('step', (performance.now()-t).toFixed(0)); }
const profile = await tf.profile(async () => { await model.trainOnBatch(x, y); });
const by = new Map();
for (const k of profile.kernels) {
  if (!/Conv2D|Backprop/.test(k.name)) continue;
  const ms = await k.kernelTimeMs;
  const key = k.name + ' ' + JSON.stringify(k.inputShapes);
  const e = by.get(key) ?? { ms: 0, n: 0 }; e.ms += ms; e.n++; by.set(key, e);
}
for (const [name, e] of [...by].sort((a,b)=>b[1].ms-a[1].ms)) console.log(`${e.ms.toFixed(1).padStart(7)} ms ×${e.n} ${name}`);
