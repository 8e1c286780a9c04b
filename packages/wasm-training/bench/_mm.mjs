import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@tfzoo/core';
import '@tfzoo/wasm-training';
await initBackend('wasm', { threads: Number(process.argv[2]) });
function time(label, f, reps=10){ f(); const t=performance.now(); for(let r=0;r<reps;r++) f(); console.log(label, ((performance.now()-t)/reps).toFixed(2),'ms'); }
const a = tf.randomNormal([4608,512]); const b = tf.randomNormal([512,64]);
time('matmul 4608x512x64 cached', ()=>{ const y=tf.matMul(a,b); y.dataSync(); y.dispose(); });
const x = tf.randomNormal([16,2,2,512]); const w = tf.randomNormal([3,3,512,512]);
time('conv 2x2x512 cached', ()=>{ const y=tf.conv2d(x,w,1,'same'); y.dataSync(); y.dispose(); });
time('conv 2x2x512 fresh', ()=>{ const w2=tf.add(w,0); const y=tf.conv2d(x,w2,1,'same'); y.dataSync(); y.dispose(); w2.dispose(); });
time('add copy 2.4M', ()=>{ const w2=tf.add(w,0); w2.dataSync(); w2.dispose(); });
time('transpose 4608x512', ()=>{ const w2=tf.transpose(tf.reshape(w,[4608,512])); w2.dataSync(); w2.dispose(); });
time('transpose 0,1,3,2', ()=>{ const w2=tf.transpose(w,[0,1,3,2]); w2.dataSync(); w2.dispose(); });
const col = tf.randomNormal([64,4608]);
time('matmul 64x4608x512 fresh b', ()=>{ const w2=tf.reshape(tf.add(w,0),[4608,512]); const y=tf.matMul(col,w2); y.dataSync(); y.dispose(); w2.dispose(); });
time('matmul 64x4608x512 cached b', ()=>{ const y=tf.matMul(col,tf.reshape(w,[4608,512])); y.dataSync(); y.dispose(); });
const x1 = tf.randomNormal([16,16,16,64]); const w1 = tf.randomNormal([3,3,64,64]);
time('conv 16x16x64 cached', ()=>{ const y=tf.conv2d(x1,w1,1,'same'); y.dataSync(); y.dispose(); });
