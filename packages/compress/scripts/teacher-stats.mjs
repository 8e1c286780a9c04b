// What the teacher gives the student in `tfzoo distill`: on the first N training images of each
// class (normalized as tfzoo does), the teacher's accuracy, logit spread and softened targets at T,
// and the sizes of the two loss terms' gradients with respect to a fresh LeNet-5's logits.
// `node packages/compress/scripts/teacher-stats.mjs [perClass] [temperature]` after `npm run build`.
import * as tf from '@tensorflow/tfjs-core';
import '@tfzoo/wasm-training';
import { initBackend } from '@tfzoo/core';
import { DataLoader } from '@tfzoo/datasets';
import { distillationLoss } from '@tfzoo/losses';
import { fmnistTrain, resnet18Fmnist, seededLenet5 } from './fmnist-models.mjs';

const perClass = Number(process.argv[2] ?? 500);
const T = Number(process.argv[3] ?? 4);
await initBackend(['wasm'], { threads: 1 });
const data = await fmnistTrain(perClass);
const loader = new DataLoader(data.dataset, { batchSize: 256, transform: data.transform });
const teacher = await resnet18Fmnist();
const student = seededLenet5(0);
const hardOnly = distillationLoss({ temperature: T, alpha: 1 });
const softOnly = distillationLoss({ temperature: T, alpha: 0 });
const sums = new Float64Array(7);
let n = 0;
for await (const { x, y } of loader.tensors(0)) {
  const stats = tf.tidy(() => {
    const t = teacher.apply(x, { training: false });
    const s = student.apply(x, { training: false });
    const labels = tf.cast(y, 'int32');
    const p = tf.softmax(tf.div(t, T));
    const b = x.shape[0];
    return [
      tf.sum(tf.cast(tf.equal(tf.argMax(t, -1), labels), 'float32')),
      tf.sum(tf.sub(tf.max(t, -1), tf.min(t, -1))),
      tf.sum(tf.mul(p, tf.oneHot(labels, 10))),
      tf.sum(tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-12))), -1))),
      tf.mul(tf.norm(tf.grad((z) => hardOnly(y, z, t))(s)), b),
      tf.mul(tf.norm(tf.grad((z) => softOnly(y, z, t))(s)), b),
      tf.mul(tf.sqrt(tf.moments(s).variance), b),
    ].map((v) => v.dataSync()[0]);
  });
  stats.forEach((v, i) => {
    sums[i] += v;
  });
  n += x.shape[0];
  tf.dispose([x, y]);
}
const [correct, range, pTrue, entropy, gHard, gSoft, sStd] = Array.from(sums, (v) => v / n);
console.log(
  JSON.stringify({
    images: n,
    T,
    teacherAccuracy: correct,
    meanLogitRange: range,
    meanSoftTrueClassProb: pTrue,
    meanSoftEntropyNats: entropy,
    gradNormSoftOverHard: gSoft / gHard,
    freshStudentLogitStd: sStd,
  }),
);
