import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tfzoo/core';
import '@tfzoo/wasm-training';
import { createModel } from '@tfzoo/models';
import { leanVariableGrads } from './dist/lean-gradients.js';

const [backend, id] = [process.argv[2], process.argv[3]];
const size = Number(process.argv[4]),
  batch = Number(process.argv[5]);
await initBackend(backend, backend === 'wasm' ? { threads: 2 } : undefined);
const model = await createModel(id, { inputShape: [size, size, 3] });
const x = tf.randomUniform([batch, size, size, 3]);
const labels = tf.oneHot(tf.zeros([batch], 'int32'), 1000);
const loss = () => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }), labels)));
const vars = model.trainableWeights.map((w) => w.read());
for (const mode of process.argv.slice(6)) {
  const t0 = performance.now();
  const p = await tf.profile(() => {
    const r = mode === 'lean' ? leanVariableGrads(loss, vars) : tf.variableGrads(loss, vars);
    tf.dispose([r.value, ...Object.values(r.grads)]);
  });
  console.log(
    mode,
    'peak MiB',
    (p.peakBytes / 2 ** 20).toFixed(0),
    's',
    ((performance.now() - t0) / 1000).toFixed(1),
    'tensors',
    tf.memory().numTensors,
    'rss',
    (process.memoryUsage().rss / 2 ** 20).toFixed(0),
  );
}
