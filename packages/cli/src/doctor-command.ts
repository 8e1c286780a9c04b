/**
 * `tfzoo doctor`: which backends load here and why the others do not, the WebGPU adapter, and
 * whether one training step of a small CNN works on each backend that loads.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  BACKEND_PREFERENCE,
  type BackendName,
  cacheDir,
  type GpuAdapterReport,
  initBackend,
  releaseBackend,
} from '@tfzoo/core';
import { type CommandIo, parse } from './args.js';

/** The outcome of one training step on a backend. */
export interface TrainingStepCheck {
  /** Whether the step ran, gave a finite loss and changed the weights. */
  ok: boolean;
  /** The loss of the step. */
  loss?: number;
  /** Seconds the step took, first call (kernel compilation included). */
  seconds?: number;
  /** Why it failed. */
  error?: string;
}

/** What `tfzoo doctor` found about one backend. */
export interface BackendCheck {
  /** The backend. */
  backend: BackendName;
  /** Whether it loads here. */
  ok: boolean;
  /** Why it does not. */
  reason?: string;
  /** What else matters (e.g. wasm with or without `@tfzoo/wasm-training`). */
  note?: string;
  /** For WebGPU: the adapter. */
  adapter?: GpuAdapterReport;
  /** One training step of a small CNN (conv, batch norm, depthwise conv, dense; SGD). */
  trainingStep?: TrainingStepCheck;
}

/**
 * Runs one SGD step of a small CNN with the layer kinds of the zoo on the active backend, reading
 * back asynchronously only. Disposes everything it made.
 */
export async function checkTrainingStep(): Promise<TrainingStepCheck> {
  const started = performance.now();
  const input = tfl.input({ shape: [16, 16, 3] });
  let x = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 10 }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  const optimizer = tf.train.sgd(0.1);
  const images = tf.randomUniform([4, 16, 16, 3], -1, 1, 'float32', 1);
  const labels = tf.oneHot(tf.tensor1d([0, 3, 5, 9], 'int32'), 10);
  try {
    const kernel = model.layers[1]!.getWeights()[0] as tf.Tensor;
    const before = await kernel.data();
    const cost = optimizer.minimize(() => {
      const logits = model.apply(images, { training: true }) as tf.Tensor;
      return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1))) as tf.Scalar;
    }, true) as tf.Scalar;
    const loss = (await cost.data())[0] as number;
    cost.dispose();
    const after = await (model.layers[1]!.getWeights()[0] as tf.Tensor).data();
    const seconds = (performance.now() - started) / 1000;
    if (!Number.isFinite(loss)) return { ok: false, loss, seconds, error: `the loss is ${loss}` };
    if (after.every((v, i) => v === before[i])) {
      return { ok: false, loss, seconds, error: 'the step left the convolution kernel unchanged' };
    }
    return { ok: true, loss, seconds };
  } catch (error) {
    return {
      ok: false,
      error: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '',
    };
  } finally {
    tf.dispose([images, labels]);
    optimizer.dispose();
    model.dispose();
  }
}

/** The reason of a failed {@link initBackend} attempt, without the "no backend could be loaded" frame. */
function attemptReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (
    message
      .split('\n')
      .slice(1)
      .join(' ')
      .replace(/^\s*- [\w-]+: /, '')
      .replace(/\s+/g, ' ') || message
  );
}

function describeAdapter(adapter: GpuAdapterReport): string {
  const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ');
  const limit = adapter.limits.maxBufferSize;
  return `${adapter.source === 'dawn' ? 'Dawn' : 'navigator.gpu'}: ${name} "${adapter.description}"${
    adapter.isFallbackAdapter ? ' (software fallback adapter)' : ''
  }${limit ? `, maxBufferSize ${(limit / 2 ** 20).toFixed(0)} MiB` : ''}`;
}

function describeStep(step: TrainingStepCheck | undefined): string {
  if (!step) return '';
  return step.ok
    ? `training step ok (loss ${step.loss?.toFixed(3)}, ${step.seconds?.toFixed(1)} s)`
    : `training step FAILED: ${step.error}`;
}

/** `tfzoo doctor`: which backends load here, why the others do not, and whether they train. */
export async function doctorCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parse(
    argv,
    {
      json: { type: 'boolean', help: 'print JSON' },
      'no-train': { type: 'boolean', help: 'skip the training-step check' },
    },
    'doctor',
  );
  const report: BackendCheck[] = [];
  let wasmTraining = '';
  try {
    await import('@tfzoo/wasm-training');
    wasmTraining = 'with @tfzoo/wasm-training (conv gradients on wasm, threads)';
  } catch (error) {
    wasmTraining = `without @tfzoo/wasm-training (${(error as Error).message}): conv training falls back to cpu`;
  }
  for (const backend of BACKEND_PREFERENCE) {
    try {
      const info = await initBackend(backend);
      const check: BackendCheck = { backend, ok: true };
      if (backend === 'wasm') check.note = wasmTraining;
      if (info.adapter) check.adapter = info.adapter;
      if (!values['no-train']) check.trainingStep = await checkTrainingStep();
      report.push(check);
    } catch (error) {
      report.push({ backend, ok: false, reason: attemptReason(error) });
    } finally {
      releaseBackend();
    }
  }
  const info = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    tfjs: tf.version_core,
    cache: cacheDir(),
    offline: process.env.TFZOO_OFFLINE === '1',
    backends: report,
  };
  const best = report.find((r) => r.ok && r.trainingStep?.ok !== false);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(info)}\n`);
    return best ? 0 : 1;
  }
  io.stdout.write(
    `node ${info.node} on ${info.platform}, tfjs-core ${info.tfjs}\ncache ${info.cache}${info.offline ? ' (TFZOO_OFFLINE=1)' : ''}\n\n`,
  );
  for (const r of report) {
    const details = r.ok
      ? [r.adapter ? describeAdapter(r.adapter) : '', r.note ?? '', describeStep(r.trainingStep)]
          .filter(Boolean)
          .join('; ')
      : r.reason;
    io.stdout.write(`  ${r.ok ? 'ok  ' : 'no  '} ${r.backend.padEnd(15)} ${details}\n`);
  }
  const auto = report.find((r) => (r.backend === 'wasm' || r.backend === 'cpu') && r.ok);
  io.stdout.write(
    `\n--backend auto uses: ${auto ? auto.backend : 'nothing — install @tensorflow/tfjs-backend-wasm or -cpu'}` +
      ` (--backend ${report
        .filter((r) => r.ok)
        .map((r) => r.backend)
        .join(' | ')} picks one)\n` +
      'tfjs-node(-gpu) need libtensorflow 2.9.1 (the GPU build: CUDA 11.2 + cuDNN 8.1); see docs/guides/backends.md.\n',
  );
  return best ? 0 : 1;
}
