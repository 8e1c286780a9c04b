import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@tfzoo/core';
import '@tfzoo/wasm-training';
import { conv2dInputGradient } from '../dist/kernels/conv2d-backprop-input.js';
import { composed } from '../dist/kernels/kernel-scope.js';
await initBackend('wasm', { threads: Number(process.argv[2] ?? 1) });
// [x shape, filter shape, stride, pad]
const shapes = [
 [[16,70,70,3],[7,7,3,64],2,'valid'],
 [[16,16,16,64],[3,3,64,64],1,'same'],
 [[16,18,18,64],[3,3,64,128],2,'valid'],
 [[16,8,8,128],[3,3,128,128],1,'same'],
 [[16,16,16,64],[1,1,64,128],2,'valid'],
 [[16,10,10,128],[3,3,128,256],2,'valid'],
 [[16,4,4,256],[3,3,256,256],1,'same'],
 [[16,6,6,256],[3,3,256,512],2,'valid'],
 [[16,2,2,512],[3,3,512,512],1,'same'],
 [[16,4,4,256],[1,1,256,512],2,'valid'],
];
const backend = tf.backend();
for (const [xs, fs, s, pad] of shapes) {
  const info = tf.backend_util.computeConv2DInfo(xs, fs, s, 1, pad);
  const dy = tf.randomNormal(info.outShape);
  const reps = 5;
  const filters = Array.from({length: reps+1}, () => tf.randomNormal(fs));
  const row = [];
  let ref;
  for (const method of ['transposed-conv','columns','columns-transposed']) {
    const run = (f) => { const out = composed(backend, 'wasm', (scope) => conv2dInputGradient(scope, {dataId: dy.dataId, shape: dy.shape, dtype:'float32'}, {dataId: f.dataId, shape: f.shape, dtype:'float32'}, info, method)); const t = tf.engine().makeTensorFromTensorInfo(out); return t; };
    const first = run(filters[0]); const v = first.dataSync(); 
    if (!ref) ref = v; else { let e=0; for (let i=0;i<v.length;i++) e=Math.max(e, Math.abs(v[i]-ref[i])); if (e>1e-3) console.log('MISMATCH', method, e); }
    first.dispose();
    const t0 = performance.now();
    for (let r=1;r<=reps;r++){ const o=run(filters[r]); o.dataSync(); o.dispose(); }
    row.push(((performance.now()-t0)/reps).toFixed(1));
  }
  console.log(JSON.stringify(xs), JSON.stringify(fs), 's'+s, row.join('  '));
  tf.dispose([dy, ...filters]);
}
