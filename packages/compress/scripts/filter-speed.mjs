// Inference speed of VGG-11 (features, 64×64×3, batch 8) before and after L1 filter pruning, on the
// wasm backend, measured in the same run: `node packages/compress/scripts/filter-speed.mjs [ratio]`
// after `npm run build`.
import * as tf from '@tensorflow/tfjs-core';
import '@tfzoo/wasm-training';
import { pruneFilters } from '@tfzoo/compress';
import { initBackend, withSeed } from '@tfzoo/core';
import { vgg11 } from '@tfzoo/vgg';

const ratio = Number(process.argv[2] ?? 0.5);
await initBackend(['wasm'], { threads: 2 });
const dense = withSeed(1, () => vgg11({ includeTop: false, pooling: 'avg', inputShape: [64, 64, 3] }));
const { model: pruned } = await pruneFilters(dense, { ratio });
const x = tf.randomNormal([8, 64, 64, 3]);

async function time(model, runs = 10) {
  for (let i = 0; i < 2; i++) await model.predict(x).data();
  const seconds = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const y = model.predict(x);
    await y.data();
    y.dispose();
    seconds.push((performance.now() - start) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return seconds[Math.floor(runs / 2)];
}

// interleave so that a busy machine slows both alike
let d = 0;
let p = 0;
for (let round = 0; round < 3; round++) {
  d += await time(dense);
  p += await time(pruned);
}
console.log(
  JSON.stringify({
    ratio,
    params: { dense: dense.countParams(), pruned: pruned.countParams() },
    medianSecondsPerBatch: { dense: d / 3, pruned: p / 3 },
    speedup: d / p,
  }),
);
