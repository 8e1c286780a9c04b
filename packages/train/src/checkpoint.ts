/**
 * Training checkpoints: the model's weights, the optimizer's state and the training position (epoch,
 * global step — what the learning-rate schedule is evaluated at — and batch within the epoch), so a
 * resumed run continues exactly where the saved one stopped (PyTorch's
 * `torch.save({'model': …, 'optimizer': …, 'epoch': …})` recipe, with the scheduler's step).
 *
 * A checkpoint is a directory: `model.safetensors` (the model's own `layer/weight` names),
 * `optimizer.safetensors` and `manifest.json` (format version, state, logs, sha256 and size of both
 * files). It is written into a temporary directory and renamed into place, so a crash never leaves
 * a half-written checkpoint under the final name; loading verifies both checksums first.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  collectWeightSlots,
  exportStateDict,
  invalidArgument,
  loadWeights,
  type RawTensorMap,
  rawToTensor,
  readSafetensors,
  type SlotSource,
  tensorToRaw,
  writeSafetensors,
  ZooError,
} from '@tfzoo/core';
import type { EpochLogs, TrainCallback, TrainContext, TrainState } from './train.js';

/** Format identifier stored in every manifest. */
export const CHECKPOINT_FORMAT = 'tfzoo-checkpoint';
/** Manifest version written by this package. */
export const CHECKPOINT_VERSION = 1;

/** One file of a checkpoint as the manifest records it. */
export interface CheckpointFile {
  /** File name inside the checkpoint directory. */
  name: string;
  /** sha256 of its bytes (hex). */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
}

/** The `manifest.json` of a checkpoint. */
export interface CheckpointManifest {
  /** Always {@link CHECKPOINT_FORMAT}. */
  format: string;
  /** {@link CHECKPOINT_VERSION}. */
  version: number;
  /** Where training stood. */
  state: TrainState;
  /** The model's name (checked on load). */
  modelName: string;
  /** The optimizer's class name (checked on load). */
  optimizer: string;
  /** Optimizer state tensor names, in `getWeights()` order. */
  optimizerWeights: string[];
  /** Model weights file. */
  model: CheckpointFile;
  /** Optimizer state file. */
  optimizerFile: CheckpointFile;
  /** Logs of the epochs run so far. */
  history: EpochLogs[];
  /** Free-form metadata (the command line that made it, the monitored value…). */
  metadata: Record<string, unknown>;
  /** ISO time of writing. */
  created: string;
}

/**
 * Renames optimizer state between the model's unique variable names and its stable `layer/weight`
 * slot keys (prefix match on `<name>/`).
 */
function variableRenamer(
  model: tfl.LayersModel,
  direction: 'toKey' | 'toVariable',
): (name: string) => string {
  const pairs: [string, string][] = [];
  for (const slot of collectWeightSlots(model as unknown as SlotSource).values()) {
    const variableName = (slot.variable.read() as tf.Variable).name;
    pairs.push(direction === 'toKey' ? [variableName, `@${slot.key}`] : [`@${slot.key}`, variableName]);
  }
  pairs.sort((a, b) => b[0].length - a[0].length);
  return (name) => {
    for (const [from, to] of pairs) if (name.startsWith(`${from}/`)) return `${to}${name.slice(from.length)}`;
    return name;
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** Logs of the epochs so far. */
  history?: EpochLogs[];
  /** Extra metadata stored in the manifest. */
  metadata?: Record<string, unknown>;
}

/**
 * Writes a checkpoint directory atomically: everything goes into `<dir>.tmp-<pid>` which then
 * replaces `dir` by rename.
 *
 * @returns the manifest written.
 */
export async function saveCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainState,
  options: SaveCheckpointOptions = {},
): Promise<CheckpointManifest> {
  if (typeof dir !== 'string' || dir === '') throw invalidArgument('dir', dir, 'a directory path');
  const named = await optimizer.getWeights();
  // Read every tensor asynchronously first: a GPU backend has no synchronous read in Node (WebGPU)
  // and keeps the values it read, so the synchronous exports below then find them on the CPU.
  await Promise.all([...model.weights.map((w) => w.read().data()), ...named.map((n) => n.tensor.data())]);
  const modelBytes = writeSafetensors(exportStateDict(model, { names: 'tfjs' }));
  const raw: RawTensorMap = new Map();
  const names: string[] = [];
  // The tensors stay owned by the optimizer (tfjs and tfzoo optimizers alike): not disposed here.
  // State names carry the variables' unique names (`conv1/kernel_3/exp_avg`), which differ between
  // model instances; they are stored with the stable `layer/weight` keys instead.
  const toKey = variableRenamer(model, 'toKey');
  named.forEach(({ name, tensor }, i) => {
    const stable = toKey(name);
    names.push(stable);
    raw.set(`${i}:${stable}`, tensorToRaw(tensor));
  });
  const optimizerBytes = writeSafetensors(raw);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    state: { ...state },
    modelName: model.name,
    optimizer: optimizer.getClassName(),
    optimizerWeights: names,
    model: { name: 'model.safetensors', sha256: sha256(modelBytes), bytes: modelBytes.length },
    optimizerFile: {
      name: 'optimizer.safetensors',
      sha256: sha256(optimizerBytes),
      bytes: optimizerBytes.length,
    },
    history: options.history ?? [],
    metadata: options.metadata ?? {},
    created: new Date().toISOString(),
  };
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const temporary = join(parent, `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(temporary, { recursive: true });
  await writeFile(join(temporary, manifest.model.name), modelBytes);
  await writeFile(join(temporary, manifest.optimizerFile.name), optimizerBytes);
  await writeFile(join(temporary, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const old = join(parent, `.${basename(dir)}.old-${process.pid}-${Date.now()}`);
  let hadOld = false;
  try {
    await rename(dir, old);
    hadOld = true;
  } catch {
    /* no previous checkpoint */
  }
  await rename(temporary, dir);
  if (hadOld) await rm(old, { recursive: true, force: true });
  return manifest;
}

function corrupt(dir: string, message: string, received?: unknown): ZooError {
  return new ZooError('CORRUPT_FILE', `checkpoint ${dir} is corrupt: ${message}`, {
    received,
    expected: `a checkpoint directory written by saveCheckpoint (manifest.json, model.safetensors, optimizer.safetensors with the sha256 the manifest records)`,
  });
}

/** Reads and validates a checkpoint's manifest (not the weight files). */
export async function readCheckpointManifest(dir: string): Promise<CheckpointManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch (error) {
    throw new ZooError('NOT_FOUND', `no checkpoint at ${dir}: ${join(dir, 'manifest.json')} cannot be read`, {
      received: dir,
      expected: 'a checkpoint directory containing manifest.json',
      cause: error,
    });
  }
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(text) as CheckpointManifest;
  } catch (error) {
    throw corrupt(dir, `manifest.json is not valid JSON (${(error as Error).message})`);
  }
  if (manifest?.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION) {
    throw corrupt(
      dir,
      `manifest.json has format ${manifest?.format} version ${manifest?.version}`,
      manifest?.format,
    );
  }
  const s = manifest.state;
  if (!s || ![s.epoch, s.step, s.batchInEpoch].every((v) => Number.isInteger(v) && v >= 0)) {
    throw corrupt(dir, 'manifest.json has no valid state {epoch, step, batchInEpoch}', s);
  }
  return manifest;
}

async function readVerified(dir: string, file: CheckpointFile): Promise<Uint8Array> {
  // The manifest names files inside its own folder: a bare file name, nothing that leaves it.
  const name = file?.name;
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[\\/\0]/.test(name)) {
    throw new ZooError(
      'UNSAFE_FILE',
      `checkpoint ${dir}: manifest.json names the file ${JSON.stringify(name)}`,
      {
        received: name,
        expected: 'a file name inside the checkpoint folder (no path separators, no ..)',
      },
    );
  }
  const path = join(dir, name);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw corrupt(dir, `${file?.name} is missing (${(error as Error).message})`);
  }
  const actual = sha256(bytes);
  if (bytes.length !== file.bytes || actual !== file.sha256) {
    throw new ZooError(
      'CHECKSUM_MISMATCH',
      `checkpoint ${dir} is corrupt: ${file.name} has sha256 ${actual} (${bytes.length} bytes) but the manifest records ${file.sha256} (${file.bytes} bytes); refusing to resume from it`,
      { received: actual, expected: file.sha256 },
    );
  }
  return bytes;
}

/**
 * Loads a checkpoint into `model` and `optimizer` after verifying both files' sha256 against the
 * manifest. The optimizer must be of the class that was saved.
 *
 * @returns the manifest (its `state` is where to resume).
 * @throws {@link @tfzoo/core!ZooError} `CHECKSUM_MISMATCH` / `CORRUPT_FILE` for a damaged checkpoint,
 * `WEIGHTS_MISMATCH` when it belongs to another model.
 */
export async function loadCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  optimizer?: tf.Optimizer,
): Promise<CheckpointManifest> {
  const manifest = await readCheckpointManifest(dir);
  const modelBytes = await readVerified(dir, manifest.model);
  const optimizerBytes = await readVerified(dir, manifest.optimizerFile);
  if (optimizer && manifest.optimizer !== optimizer.getClassName()) {
    throw new ZooError(
      'INVALID_ARGUMENT',
      `checkpoint ${dir} holds ${manifest.optimizer} state but the optimizer is ${optimizer.getClassName()}`,
      { received: optimizer.getClassName(), expected: manifest.optimizer },
    );
  }
  await loadWeights(model, modelBytes, { mapping: 'tfjs', fileName: join(dir, manifest.model.name) });
  if (optimizer) {
    const { tensors } = readSafetensors(optimizerBytes, join(dir, manifest.optimizerFile.name));
    const toVariable = variableRenamer(model, 'toVariable');
    const weights = manifest.optimizerWeights.map((name, i) => {
      const raw = tensors.get(`${i}:${name}`);
      if (!raw) throw corrupt(dir, `optimizer.safetensors lacks ${name}`, name);
      return { name: toVariable(name), tensor: rawToTensor(raw) };
    });
    try {
      await optimizer.setWeights(weights);
    } finally {
      tf.dispose(weights.map((w) => w.tensor));
    }
  }
  return manifest;
}

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  /** Directory holding `last/` and `best/`. */
  dir: string;
  /** The epoch log value that decides `best` (default `val_accuracy`, else `accuracy`). */
  monitor?: string;
  /** Whether larger is better (default: true unless the monitor name contains `loss`). */
  mode?: 'max' | 'min';
  /** Also save `last` every this many steps inside an epoch (default: epoch ends only). */
  everySteps?: number;
  /** Metadata stored in every manifest. */
  metadata?: Record<string, unknown>;
  /** Previous history (when resuming) so manifests keep the whole run. */
  history?: EpochLogs[];
}

/**
 * Saves `last/` after every epoch (and every `everySteps` steps, and on interruption) and `best/`
 * whenever the monitored value improves.
 */
export class ModelCheckpoint implements TrainCallback {
  /** Options as given. */
  readonly options: ModelCheckpointOptions;
  /** Best monitored value so far. */
  best: number | undefined;
  private readonly previous: EpochLogs[];

  /** Checks the options. */
  constructor(options: ModelCheckpointOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '') {
      throw invalidArgument('dir', options?.dir, 'a directory path');
    }
    if (
      options.everySteps !== undefined &&
      !(Number.isInteger(options.everySteps) && options.everySteps > 0)
    ) {
      throw invalidArgument('everySteps', options.everySteps, 'a positive integer');
    }
    this.options = options;
    this.previous = options.history ?? [];
    for (const logs of this.previous) {
      const value = logs[this.monitorOf(logs)];
      if (typeof value === 'number' && this.improves(value)) this.best = value;
    }
  }

  private monitorOf(logs: EpochLogs): string {
    return this.options.monitor ?? ('val_accuracy' in logs ? 'val_accuracy' : 'accuracy');
  }

  private improves(value: number): boolean {
    if (!Number.isFinite(value)) return false;
    const monitor = this.options.monitor ?? 'accuracy';
    const mode = this.options.mode ?? (monitor.includes('loss') ? 'min' : 'max');
    return this.best === undefined || (mode === 'max' ? value > this.best : value < this.best);
  }

  private save(name: 'last' | 'best', context: TrainContext, extra: Record<string, unknown> = {}) {
    return saveCheckpoint(join(this.options.dir, name), context.model, context.optimizer, context.state, {
      history: [...this.previous, ...context.history],
      metadata: { ...(this.options.metadata ?? {}), ...extra },
    });
  }

  /** The optimizer step seen at the previous batch (gradient accumulation steps every few batches). */
  private lastStep = 0;

  /** Notes the step training starts from (a resumed run's). */
  onTrainBegin(context: TrainContext): void {
    this.lastStep = context.state.step;
  }

  /** Saves `last` every `everySteps` optimizer steps, right after the step. */
  async onBatchEnd(_batch: number, _logs: unknown, context: TrainContext): Promise<void> {
    const every = this.options.everySteps;
    const { step } = context.state;
    // With `accumulateSteps`, batches that only added gradients leave the step as it was: a
    // checkpoint there would lose them, so only a batch that took a step saves.
    const stepped = step !== this.lastStep;
    this.lastStep = step;
    if (every && stepped && step % every === 0) await this.save('last', context);
  }

  /** Saves `last`, and `best` when the monitored value improved. */
  async onEpochEnd(_epoch: number, logs: EpochLogs, context: TrainContext): Promise<void> {
    await this.save('last', context);
    const monitor = this.monitorOf(logs);
    const value = logs[monitor];
    if (typeof value === 'number' && this.improves(value)) {
      this.best = value;
      await this.save('best', context, { monitor, value });
    }
  }

  /** Saves `last` at the interrupted position. */
  async onInterrupt(context: TrainContext): Promise<void> {
    await this.save('last', context, { interrupted: true });
  }
}

/** Whether `dir` holds a checkpoint manifest. */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'manifest.json'))).isFile();
  } catch {
    return false;
  }
}
