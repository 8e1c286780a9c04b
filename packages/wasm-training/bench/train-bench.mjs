#!/usr/bin/env node
/**
 * Training throughput benchmark (a command, not a test): images/s of one training step
 * (forward + backward + SGD update) for LeNet-5 on 28×28 (batch 64) and ResNet-18 on 64×64
 * (batch 16), on TF.js wasm (1 thread), wasm with 2 threads, the pure-JS cpu backend, and PyTorch
 * CPU (/usr/bin/python3), all in one run, with the ratios.
 *
 * Usage: npm run build && npm run bench -w @tfzoo/wasm-training [-- --seconds 3] [--models lenet5]
 * [--verbose] (`--models`: a comma-separated subset of lenet5,resnet18; default both)
 * Each configuration runs in its own process (a fresh backend); the TF.js models are built with
 * plain tfjs-layers in the torchvision layout (explicit padding for strided convolutions).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const minSeconds = Number(option('seconds', '3'));
const verbose = args.includes('--verbose');
export const MODELS = [
  { name: 'lenet5', label: 'LeNet-5 28×28, batch 64', batch: 64, shape: [28, 28, 1], classes: 10 },
  { name: 'resnet18', label: 'ResNet-18 64×64, batch 16', batch: 16, shape: [64, 64, 3], classes: 1000 },
];
const only = option('models', MODELS.map((m) => m.name).join(',')).split(',');
const unknown = only.filter((name) => !MODELS.some((m) => m.name === name));
if (unknown.length > 0) {
  throw new Error(`--models: unknown ${JSON.stringify(unknown)}; expected a subset of lenet5,resnet18`);
}
const selected = MODELS.filter((m) => only.includes(m.name));

/** Builds LeNet-5 or ResNet-18 (torchvision layout) with plain tfjs-layers. */
export async function buildModel(tfl, name) {
  const apply = (layer, x) => layer.apply(x);
  if (name === 'lenet5') {
    return tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 6,
          kernelSize: 5,
          padding: 'same',
          activation: 'tanh',
        }),
        tfl.layers.averagePooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }),
        tfl.layers.averagePooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 120, activation: 'tanh' }),
        tfl.layers.dense({ units: 84, activation: 'tanh' }),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
  }
  // As @tfzoo/resnet builds it: PyTorch's symmetric padding is TF's 'same' at stride 1, and an
  // explicit ZeroPadding2D before a 'valid' convolution where the stride is 2.
  const convBn = (x, filters, kernelSize, strides) => {
    const pad = (kernelSize - 1) >> 1;
    const same = strides === 1;
    if (pad > 0 && !same) x = apply(tfl.layers.zeroPadding2d({ padding: pad }), x);
    const padding = same ? 'same' : 'valid';
    x = apply(tfl.layers.conv2d({ filters, kernelSize, strides, padding, useBias: false }), x);
    return apply(tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }), x);
  };
  const input = tfl.input({ shape: [64, 64, 3] });
  let x = apply(tfl.layers.reLU(), convBn(input, 64, 7, 2));
  x = apply(tfl.layers.zeroPadding2d({ padding: 1 }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }), x);
  let channels = 64;
  for (const [width, stride] of [
    [64, 1],
    [128, 2],
    [256, 2],
    [512, 2],
  ]) {
    for (let block = 0; block < 2; block++) {
      const s = block === 0 ? stride : 1;
      let y = apply(tfl.layers.reLU(), convBn(x, width, 3, s));
      y = convBn(y, width, 3, 1);
      const shortcut = s !== 1 || channels !== width ? convBn(x, width, 1, s) : x;
      x = apply(tfl.layers.reLU(), apply(tfl.layers.add(), [y, shortcut]));
      channels = width;
    }
  }
  x = apply(tfl.layers.globalAveragePooling2d({}), x);
  const output = apply(tfl.layers.dense({ units: 1000, activation: 'softmax' }), x);
  return tfl.model({ inputs: input, outputs: output });
}

/** Runs in a child process: one backend configuration, both models; prints JSON lines. */
async function child(config) {
  const tf = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-wasm');
  const { initBackend } = await import('@tfzoo/core');
  await import('@tfzoo/wasm-training');
  const { wasmThreadsCount } = await import('@tfzoo/wasm-training');
  if (config === 'cpu') await initBackend('cpu');
  else await initBackend('wasm', { threads: config === 'wasm2' ? 2 : 1 });
  const threads = config === 'cpu' ? 1 : wasmThreadsCount();
  for (const m of selected) {
    const model = await buildModel(tfl, m.name);
    const optimizer = tf.train.sgd(0.01);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([m.batch, ...m.shape], 0, 1, 'float32', 1);
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: m.batch }, (_, i) => (i * 7) % m.classes),
        'int32',
      ),
      m.classes,
    );
    // The cpu backend takes minutes per ResNet-18 step: one measured step, no warm-up (it has no
    // operator set-up to amortize). Elsewhere a warm-up step creates XNNPACK operators and grows memory.
    const cpuSlow = config === 'cpu' && m.name === 'resnet18';
    if (!cpuSlow) await model.trainOnBatch(x, y);
    const minSteps = cpuSlow ? 1 : 3;
    let steps = 0;
    const start = performance.now();
    while (steps < minSteps || performance.now() - start < (cpuSlow ? 0 : minSeconds * 1000)) {
      await model.trainOnBatch(x, y);
      steps++;
      if (verbose)
        process.stderr.write(
          `  ${config} ${m.name} step ${steps}: ${(performance.now() - start).toFixed(0)} ms\n`,
        );
    }
    const stepMs = (performance.now() - start) / steps;
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
    process.stdout.write(`${JSON.stringify({ model: m.name, batch: m.batch, stepMs, steps, threads })}\n`);
  }
}

function runChild(config) {
  const extra = verbose ? ['--verbose'] : [];
  const out = execFileSync(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      '--child',
      config,
      '--seconds',
      String(minSeconds),
      '--models',
      only.join(','),
      ...extra,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    },
  );
  return out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function main() {
  if (args[0] === '--child') return child(args[1]);
  const configs = [
    { key: 'wasm', label: 'tfjs wasm (1 thread)', run: () => runChild('wasm') },
    { key: 'wasm2', label: 'tfjs wasm (2 threads)', run: () => runChild('wasm2') },
    { key: 'cpu', label: 'tfjs cpu backend', run: () => runChild('cpu') },
    {
      key: 'torch',
      label: 'PyTorch CPU',
      run: () =>
        execFileSync(
          '/usr/bin/python3',
          [join(here, 'train_bench_torch.py'), String(minSeconds), only.join(',')],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        )
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
    },
  ];
  const results = {};
  for (const c of configs) {
    process.stderr.write(`running ${c.label}…\n`);
    for (const r of c.run()) results[`${c.key}:${r.model}`] = r;
  }
  const ips = (key, model) => {
    const r = results[`${key}:${model}`];
    return r ? (r.batch * 1000) / r.stepMs : Number.NaN;
  };
  console.log(`training images/s (one step = forward + backward + SGD update); ${new Date().toISOString()}`);
  for (const m of selected) {
    console.log(`\n${m.label}`);
    for (const c of configs) {
      const r = results[`${c.key}:${m.name}`];
      const threads = r?.threads !== undefined ? `, ${r.threads} thread${r.threads > 1 ? 's' : ''}` : '';
      console.log(
        `  ${c.label.padEnd(24)} ${ips(c.key, m.name).toPrecision(3).padStart(8)} img/s  (${r.stepMs.toFixed(0)} ms/step, ${r.steps} steps${threads})`,
      );
    }
    const w = ips('wasm', m.name);
    console.log(`  wasm / cpu            ${(w / ips('cpu', m.name)).toFixed(1)}×   (target ≥ 20×)`);
    console.log(`  wasm / PyTorch        ${(w / ips('torch', m.name)).toFixed(2)}×  (target ≥ 0.3×)`);
    console.log(`  wasm 2 threads / 1    ${(ips('wasm2', m.name) / w).toFixed(2)}×`);
    console.log(`  wasm 2 threads / PyTorch ${(ips('wasm2', m.name) / ips('torch', m.name)).toFixed(2)}×`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
