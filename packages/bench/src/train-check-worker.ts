/**
 * The training check's worker: one model, one form, in a process of its own (the wasm heap is per
 * process, and so is the peak RSS). Run as `node train-check-worker.js <task.json> <result.json>`;
 * it rewrites the result file as it goes, so a worker killed at its time limit leaves what it did.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { deterministicLabels, fillDeterministicWeights, uniform } from './deterministic.js';
import { peakRssBytes, seconds } from './measure.js';
import {
  isHeapFailure,
  NEAR_HEAP_LIMIT_RSS_BYTES,
  type TrainAttempt,
  type TrainForm,
} from './train-check.js';

/** What the orchestrator asks of a worker. */
export interface TrainCheckTask {
  /** Model id. */
  model: string;
  /** The form to try. */
  form: TrainForm;
  /** Effective batch of one optimizer step. */
  batch: number;
  /** wasm threads. */
  threads: number;
  /** Seed of weights, inputs and labels. */
  seed: number;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `task` and writes its {@link TrainAttempt} to `resultPath`. */
export async function runTrainCheck(task: TrainCheckTask, resultPath: string): Promise<void> {
  const started = seconds();
  const attempt: TrainAttempt = { form: task.form, outcome: 'error' };
  let heapBytes: ((backend: unknown) => number | undefined) | undefined;
  const save = (): void => {
    attempt.peakRssBytes = peakRssBytes();
    const heap = heapBytes?.(tf.backend());
    if (heap !== undefined) attempt.heapBytes = heap;
    attempt.wallSeconds = seconds() - started;
    writeFileSync(resultPath, JSON.stringify(attempt, null, 1));
  };
  save();
  let steps = 0;
  try {
    await import('@tfzoo/wasm-training');
    const core = await import('@tfzoo/core');
    await core.initBackend('wasm', { threads: task.threads });
    heapBytes = core.wasmHeapBytes;
    const { wasmThreadsCount } = await import('@tfzoo/wasm-training');
    attempt.threads = wasmThreadsCount();
    const { createModel } = await import('@tfzoo/models');
    const { train } = await import('@tfzoo/train');
    const buildStart = seconds();
    const model = await createModel(task.model);
    fillDeterministicWeights(model, task.seed);
    attempt.buildSeconds = seconds() - buildStart;
    const inputShape = (model.inputs[0]?.shape ?? []).slice(1) as [number, number, number];
    const numClasses = (model.outputs[0]?.shape ?? []).slice(-1)[0] as number;
    attempt.inputShape = inputShape;
    save();

    const k = task.form.accumulateSteps;
    const micro = task.batch / k;
    const sampleSize = inputShape.reduce((a, b) => a * b, 1);
    let serial = 0;
    // Step starts: when the generator hands out a step's first micro-batch.
    const stepStarts: number[] = [];
    function* batches(
      optimizerSteps: number,
    ): Generator<{ x: tf.Tensor4D; y: tf.Tensor2D; indices: Int32Array }> {
      for (let i = 0; i < optimizerSteps * k; i++) {
        serial++;
        const x = tf.tensor4d(uniform(micro * sampleSize, -1, 1, task.seed * 1000 + serial), [
          micro,
          ...inputShape,
        ] as [number, number, number, number]);
        const y = deterministicLabels(micro, numClasses, task.seed * 1000 + 500 + serial);
        if (i % k === 0) stepStarts.push(seconds());
        yield { x, y, indices: Int32Array.from({ length: micro }, (_, j) => i * micro + j) };
      }
    }
    const stepEnds: number[] = [];
    const optimizer = tf.train.sgd(0.01);
    const common = {
      model,
      optimizer,
      epochs: 1,
      gradientCheckpointing: task.form.gradientCheckpointing,
      accumulateSteps: k,
      // The kernel check runs a batch-1 step on the pure-JS cpu backend (minutes for VGG at 224):
      // the wasm step itself shows any missing kernel.
      checkKernels: false,
      callbacks: [
        {
          onBatchEnd: (batch: number): void => {
            if ((batch + 1) % k === 0) {
              steps++;
              stepEnds.push(seconds());
            }
          },
        },
      ],
    };
    // The warm-up step, profiled for its peak tensor bytes; train's memory estimate runs first.
    const warmStart = seconds();
    let warmedUp = false;
    const profile = await tf
      .profile(async () => {
        await train({
          ...common,
          data: batches(1),
          onMemoryEstimate: (e) => {
            attempt.estimate = {
              batchSize: e.batchSize,
              gradientCheckpointing: e.gradientCheckpointing,
              activationBytesPerSample: e.activationBytesPerSample,
              ...(e.checkpointedActivationBytesPerSample !== undefined
                ? { checkpointedActivationBytesPerSample: e.checkpointedActivationBytesPerSample }
                : {}),
              weightBytes: e.weightBytes,
              trainableBytes: e.trainableBytes,
              optimizerSlots: e.optimizerSlots,
              fixedBytes: e.fixedBytes,
              totalBytes: e.totalBytes,
              ...(e.limitBytes !== undefined ? { limitBytes: e.limitBytes } : {}),
            };
            save();
          },
        });
        warmedUp = true;
      })
      .catch((error: unknown) => {
        // tfjs-core computes the profile's peak with Math.max over one argument per kernel call,
        // which overflows the stack past about 10⁵ calls (legacy_senet154's 64-group convolutions
        // run as 64 convolutions each): the step itself went through, only the peak is unknown.
        if (warmedUp && error instanceof RangeError) return undefined;
        throw error;
      });
    attempt.warmupSeconds = seconds() - warmStart;
    if (profile) attempt.peakTensorBytes = profile.peakBytes;
    save();
    // Timed steps: two, or one when the warm-up took over 30 s. No second estimate.
    const timed = attempt.warmupSeconds > 30 ? 1 : 2;
    stepStarts.length = 0;
    stepEnds.length = 0;
    await train({ ...common, data: batches(timed), memoryCheck: false });
    attempt.stepSeconds = stepEnds.map((end, i) => end - (stepStarts[i] as number));
    attempt.outcome = 'ok';
    optimizer.dispose();
    model.dispose();
  } catch (error) {
    const text = message(error);
    attempt.error = text.split('\n')[0] ?? text;
    const code = (error as { code?: string }).code;
    if (code === 'UNSUPPORTED' && /^gradient checkpointing:/.test(text)) attempt.outcome = 'no-stages';
    else if (
      (code === 'UNSUPPORTED' && /heap/.test(text) && steps === 0) ||
      code === 'OUT_OF_MEMORY' ||
      isHeapFailure(text) ||
      peakRssBytes() > NEAR_HEAP_LIMIT_RSS_BYTES
    ) {
      attempt.outcome = 'memory';
      if (peakRssBytes() > NEAR_HEAP_LIMIT_RSS_BYTES && !(code === 'UNSUPPORTED' && steps === 0))
        attempt.error = `${attempt.error} (peak RSS ${(peakRssBytes() / 2 ** 30).toFixed(1)} GiB: the wasm heap's 4 GiB limit was most likely reached)`;
    } else attempt.outcome = 'error';
  }
  save();
}

const [taskPath, resultPath] = process.argv.slice(2);
if (taskPath && resultPath && process.argv[1]?.endsWith('train-check-worker.js')) {
  // wasm's pthread pool keeps the event loop alive: exit explicitly once the result is written.
  runTrainCheck(JSON.parse(readFileSync(taskPath, 'utf8')) as TrainCheckTask, resultPath).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${message(error)}\n`);
      process.exit(1);
    },
  );
}
