/**
 * `tfzoo train`, `tfzoo finetune` and `tfzoo eval`: the training loop of `@tfzoo/train` driven from
 * the command line, with checkpoints, resume on SIGINT, logs and a chart.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument, optimizeForInference, saveWeights, withSeed, ZooError } from '@tfzoo/core';
import { classBalancedSampler, DataLoader, type Dataset, trainValidationSplit } from '@tfzoo/datasets';
import type { LossFunction } from '@tfzoo/losses';
import {
  Adam,
  AdamW,
  cosineAnnealingLR,
  layerwiseLrDecay,
  linearWarmup,
  noWeightDecayFor1d,
  type ParamGroup,
  type Schedule,
  SGD,
  stepLR,
} from '@tfzoo/optimizers';
import {
  type BatchSource,
  balancedClassWeights,
  EarlyStopping,
  EmaCallback,
  evaluate,
  formatBytes,
  freeze,
  hasCheckpoint,
  loadCheckpoint,
  MetricsLogger,
  ModelCheckpoint,
  ProgressBar,
  readCheckpointManifest,
  splitAtHead,
  type TrainCallback,
  type TrainState,
  train,
  UnfreezeAfter,
} from '@tfzoo/train';
import { type CommandIo, type OptionSpec, parse, parseJsonOption, parseNumber } from './args.js';
import { evalTransform, loadData, loadModel, setupBackend, trainTransform } from './runtime.js';

/** Options shared by train and finetune. */
export const TRAIN_OPTIONS: Record<string, OptionSpec> = {
  data: {
    type: 'string',
    help: 'fashion-mnist | mnist | cifar10 | <folder of class/image files> (default fashion-mnist)',
  },
  root: {
    type: 'string',
    help: 'directory with the data set files (default: /usr/share/datasets/fashion-mnist when present, else download)',
  },
  epochs: { type: 'string', help: 'number of epochs (default 10)' },
  'batch-size': { type: 'string', help: 'batch size (default 64)' },
  'accumulate-steps': {
    type: 'string',
    help: 'one optimizer step per N batches (effective batch N × batch size; BN per batch; default 1)',
  },
  'grad-checkpointing': {
    type: 'boolean',
    help: "activation checkpointing per stage: recompute each stage's forward in the backward pass (less memory, one more forward)",
  },
  lr: { type: 'string', help: 'peak learning rate (default 1e-3; finetune 3e-4)' },
  optimizer: { type: 'string', help: 'adamw | adam | sgd (default adamw)' },
  'weight-decay': { type: 'string', help: 'weight decay (default 0.05 adamw, 5e-4 sgd, 0 adam)' },
  momentum: { type: 'string', help: 'SGD momentum (default 0.9)' },
  schedule: { type: 'string', help: 'cosine | step | constant (default cosine, per step)' },
  'warmup-epochs': { type: 'string', help: 'linear warm-up epochs (default 0)' },
  augment: { type: 'boolean', help: 'random crop (padding size/14) and horizontal flip' },
  'label-smoothing': { type: 'string', help: 'label smoothing (default 0)' },
  'drop-rate': { type: 'string', help: 'dropout before the classifier (build option dropRate)' },
  'model-options': { type: 'string', help: 'JSON build options, e.g. \'{"inputShape":[28,28,1]}\'' },
  'num-classes': { type: 'string', help: "classes of the head (default: the data set's)" },
  'image-size': { type: 'string', help: 'HxWxC for folders (default the model input, else 224x224x3)' },
  'per-class': { type: 'string', help: 'use only the first N training images of each class' },
  'val-split': { type: 'string', help: 'fraction of the training set held out for validation (stratified)' },
  'val-test': { type: 'boolean', help: 'validate on the test split after every epoch' },
  'class-weights': { type: 'string', help: 'balanced: weight the loss by inverse class frequency' },
  'balanced-sampler': { type: 'boolean', help: 'oversample rare classes in every epoch' },
  ema: { type: 'string', help: 'keep an EMA of the weights with this decay; saved weights are the EMA' },
  'early-stopping': { type: 'string', help: 'stop after N epochs without val_loss improvement' },
  freeze: {
    type: 'string',
    help: 'backbone | comma-separated stage prefixes to freeze (BN kept in inference mode)',
  },
  'unfreeze-after': { type: 'string', help: 'unfreeze everything at this epoch (0-based)' },
  'layer-decay': { type: 'string', help: 'layer-wise learning-rate decay factor in (0, 1]' },
  seed: { type: 'string', help: 'seed for initialization, shuffling and augmentation (default 0)' },
  out: {
    type: 'string',
    help: 'output directory: checkpoints last/ best/, log.jsonl, log.svg, model.safetensors (default ./tfzoo-run)',
  },
  resume: { type: 'boolean', help: 'continue from <out>/last (model, optimizer and schedule step)' },
  force: {
    type: 'boolean',
    help: 'with --resume: accept settings that change the schedule or the data order',
  },
  'checkpoint-every': { type: 'string', help: 'also checkpoint last/ every N steps' },
  log: { type: 'string', help: 'metrics log path (.jsonl or .csv; default <out>/log.jsonl)' },
  weights: { type: 'string', help: 'initial weights file (.safetensors, .pth, model.json)' },
  pretrained: { type: 'boolean', help: "start from the id's registered pretrained weights" },
  'new-head': {
    type: 'boolean',
    help: 'replace the pretrained classifier by a fresh one even when the class count matches',
  },
  backend: {
    type: 'string',
    help: 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu (default auto: wasm, else cpu)',
  },
  threads: { type: 'string', help: 'wasm threads (default min(4, cores))' },
  quiet: { type: 'boolean', help: 'print nothing but errors' },
};

function parseSize(text: string | undefined): [number, number, number] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(/[x×,]/).map(Number);
  if (parts.length !== 3 || !parts.every((p) => Number.isInteger(p) && p > 0)) {
    throw invalidArgument('--image-size', text, 'HxWxC, e.g. 224x224x3');
  }
  return parts as [number, number, number];
}

/** Refuses a command-line option that disagrees with the same build option in `--model-options`. */
function agree(buildOptions: Record<string, unknown>, key: string, value: unknown, flag: string): void {
  if (buildOptions[key] === undefined) return;
  if (JSON.stringify(buildOptions[key]) !== JSON.stringify(value)) {
    throw new ZooError(
      'INVALID_ARGUMENT',
      `${flag} ${JSON.stringify(value)} disagrees with --model-options ${key} ${JSON.stringify(buildOptions[key])}; give it once`,
      { received: { [flag]: value, [key]: buildOptions[key] }, expected: 'one value for each build option' },
    );
  }
}

/** The settings a resumed run must share with the run it continues (stored in its checkpoints). */
type RunSettings = Record<string, string | number | boolean | null>;

const SETTING_FLAGS: Record<string, string> = {
  data: '--data',
  epochs: '--epochs',
  batchSize: '--batch-size',
  lr: '--lr',
  schedule: '--schedule',
  warmupEpochs: '--warmup-epochs',
  seed: '--seed',
  perClass: '--per-class',
  valSplit: '--val-split',
  balancedSampler: '--balanced-sampler',
  accumulateSteps: '--accumulate-steps',
  stepsPerEpoch: 'steps per epoch',
};

/** `--flag: checkpoint A, now B` for every setting that differs (none for checkpoints without settings). */
function changedSettings(saved: unknown, now: RunSettings): string[] {
  if (typeof saved !== 'object' || saved === null) return [];
  const before = saved as RunSettings;
  return Object.keys(now)
    .filter((key) => key in before && before[key] !== now[key])
    .map((key) => `${SETTING_FLAGS[key] ?? key}: checkpoint ${before[key]}, now ${now[key]}`);
}

interface TrainConfig {
  epochs: number;
  batchSize: number;
  accumulateSteps: number;
  lr: number;
  optimizer: string;
  weightDecay: number;
  momentum: number;
  schedule: string;
  warmupEpochs: number;
  seed: number;
  layerDecay: number | undefined;
}

function makeOptimizer(config: TrainConfig, groups: ParamGroup[]): tf.Optimizer {
  const paramGroups = [noWeightDecayFor1d(), ...groups];
  switch (config.optimizer) {
    case 'adamw':
      return new AdamW({ learningRate: config.lr, weightDecay: config.weightDecay, paramGroups });
    case 'adam':
      return new Adam({ learningRate: config.lr, weightDecay: config.weightDecay, paramGroups });
    case 'sgd':
      return new SGD({
        learningRate: config.lr,
        momentum: config.momentum,
        nesterov: true,
        weightDecay: config.weightDecay,
        paramGroups,
      });
    default:
      throw invalidArgument('--optimizer', config.optimizer, 'adamw, adam or sgd');
  }
}

function makeSchedule(config: TrainConfig, stepsPerEpoch: number): Schedule | undefined {
  const total = config.epochs * stepsPerEpoch;
  const warmup = Math.round(config.warmupEpochs * stepsPerEpoch);
  let schedule: Schedule | undefined;
  switch (config.schedule) {
    case 'cosine':
      schedule = cosineAnnealingLR({ baseLr: config.lr, tMax: Math.max(1, total - warmup) });
      break;
    case 'step':
      schedule = stepLR({ baseLr: config.lr, stepSize: Math.max(1, Math.round(total / 3)), gamma: 0.1 });
      break;
    case 'constant':
      schedule = () => config.lr;
      break;
    default:
      throw invalidArgument('--schedule', config.schedule, 'cosine, step or constant');
  }
  return warmup > 0 ? linearWarmup(schedule, { warmupSteps: warmup, startFactor: 0.1 }) : schedule;
}

/** What a command built on {@link trainCommand} is given once the model and data exist. */
export interface TrainExtensionContext {
  /** Parsed options. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** The model being trained. */
  model: tfl.LayersModel;
  /** Classes of the data set / head. */
  numClasses: number;
  /** The training batches. */
  loader: DataLoader;
  /** Epochs of the run. */
  epochs: number;
  /** Prints a progress line (nothing with --quiet). */
  say: (text: string) => void;
}

/** What the extension adds to the run. */
export interface TrainExtensionSetup {
  /** Callbacks run before the built-in ones. */
  callbacks?: TrainCallback[];
  /** The training batches to use instead of the loader (wrapping it). */
  data?: BatchSource;
  /** The training loss. */
  loss?: LossFunction;
  /** Runs after training, before `model.safetensors` is written; `out` is the output directory. */
  finish?: (out: string) => Promise<void>;
}

/** A command that is a training run with more to it (`tfzoo prune`, `tfzoo distill`). */
export interface TrainExtension {
  /** The command's name (help text and messages). */
  command: string;
  /** Its own options, added to (and overriding) the training options. */
  options: Record<string, OptionSpec>;
  /** The option naming the learning-rate schedule (default `schedule`). */
  lrScheduleOption?: string;
  /** The model id when it is given by an option instead of the positional argument. */
  id?: (values: TrainExtensionContext['values']) => string;
  /** Whether to start from the id's registered pretrained weights. */
  pretrained?: (id: string, values: TrainExtensionContext['values']) => boolean;
  /** Checks the extension's options before anything is loaded. */
  validate?: (values: TrainExtensionContext['values']) => void;
  /** Replaces the loaded model before training (e.g. by a smaller one); disposes what it replaces. */
  transformModel?: (
    model: tfl.LayersModel,
    values: TrainExtensionContext['values'],
    say: (text: string) => void,
  ) => Promise<tfl.LayersModel>;
  /** Called once the model, data and optimizer exist. */
  setup: (context: TrainExtensionContext) => Promise<TrainExtensionSetup>;
}

/** `tfzoo train <id>` / `tfzoo finetune <id>`, and the training part of `prune` and `distill`. */
export async function trainCommand(
  argv: string[],
  io: CommandIo,
  finetune: boolean,
  extension?: TrainExtension,
): Promise<number> {
  const commandName = extension?.command ?? (finetune ? 'finetune' : 'train');
  const { values, positionals } = parse(argv, { ...TRAIN_OPTIONS, ...extension?.options }, commandName);
  extension?.validate?.(values);
  if (extension?.id) positionals.unshift(extension.id(values));
  if (positionals.length !== 1) {
    throw invalidArgument(
      'model id',
      positionals,
      `exactly one model id, e.g. tfzoo ${finetune ? 'finetune lenet5.fmnist' : 'train lenet5'}`,
    );
  }
  const id = positionals[0]!;
  const quiet = values.quiet === true;
  const say = (text: string) => {
    if (!quiet) io.stderr.write(`${text}\n`);
  };
  const config: TrainConfig = {
    epochs: parseNumber('--epochs', values.epochs, 10, { integer: true, min: 1 }),
    batchSize: parseNumber('--batch-size', values['batch-size'], 64, { integer: true, min: 1 }),
    accumulateSteps: parseNumber('--accumulate-steps', values['accumulate-steps'], 1, {
      integer: true,
      min: 1,
    }),
    lr: parseNumber('--lr', values.lr, finetune ? 3e-4 : 1e-3, { min: 0 }),
    optimizer: String(values.optimizer ?? 'adamw'),
    weightDecay: 0,
    momentum: parseNumber('--momentum', values.momentum, 0.9, { min: 0 }),
    schedule: String(values[extension?.lrScheduleOption ?? 'schedule'] ?? 'cosine'),
    warmupEpochs: parseNumber('--warmup-epochs', values['warmup-epochs'], 0, { min: 0 }),
    seed: parseNumber('--seed', values.seed, 0, { integer: true, min: 0 }),
    layerDecay:
      values['layer-decay'] === undefined
        ? undefined
        : parseNumber('--layer-decay', values['layer-decay'], 1, { min: 0 }),
  };
  config.weightDecay = parseNumber(
    '--weight-decay',
    values['weight-decay'],
    config.optimizer === 'sgd' ? 5e-4 : config.optimizer === 'adamw' ? 0.05 : 0,
    { min: 0 },
  );
  const out = String(values.out ?? 'tfzoo-run');
  const lastDir = join(out, 'last');
  const resume = values.resume === true;
  if (resume && !(await hasCheckpoint(lastDir))) {
    throw new ZooError('NOT_FOUND', `--resume: no checkpoint at ${lastDir}; run without --resume first`, {
      received: lastDir,
      expected: 'a directory written by a previous tfzoo train --out',
    });
  }
  const info = await setupBackend(
    String(values.backend ?? 'auto'),
    values.threads === undefined
      ? undefined
      : parseNumber('--threads', values.threads, 1, { integer: true, min: 1 }),
  );
  say(`backend: ${info.backend}`);

  const spec = String(values.data ?? 'fashion-mnist');
  const folder = !['fashion-mnist', 'mnist', 'cifar10', 'fashion-mnist-sample'].includes(spec);
  const buildOptions = parseJsonOption('--model-options', values['model-options']);
  if (values['drop-rate'] !== undefined) {
    const dropRate = parseNumber('--drop-rate', values['drop-rate'], 0, { min: 0 });
    agree(buildOptions, 'dropRate', dropRate, '--drop-rate');
    buildOptions.dropRate = dropRate;
  }
  const imageSize = parseSize(values['image-size'] as string | undefined);
  if (imageSize) agree(buildOptions, 'inputShape', imageSize, '--image-size');
  const size =
    imageSize ??
    (Array.isArray(buildOptions.inputShape)
      ? (buildOptions.inputShape as [number, number, number])
      : undefined);
  const perClass =
    values['per-class'] === undefined
      ? undefined
      : parseNumber('--per-class', values['per-class'], 1, { integer: true, min: 1 });
  const trainData = await loadData(spec, {
    split: 'train',
    ...(values.root ? { root: String(values.root) } : {}),
    ...(size ? { size } : {}),
    ...(perClass ? { perClass } : {}),
  });
  if (values['num-classes'] !== undefined) {
    const flag = parseNumber('--num-classes', values['num-classes'], 1, { integer: true, min: 1 });
    agree(buildOptions, 'numClasses', flag, '--num-classes');
    buildOptions.numClasses = flag;
  }
  // A class count in --model-options is the user's choice too: the builder validates it.
  const numClasses =
    buildOptions.numClasses === undefined
      ? trainData.dataset.classes.length
      : (buildOptions.numClasses as number);
  if (!buildOptions.inputShape && (folder || spec !== 'fashion-mnist' || !id.includes('.'))) {
    buildOptions.inputShape = [...trainData.shape];
  }

  let trainSet = trainData.dataset;
  let validationSet: Dataset | undefined;
  if (values['val-split'] !== undefined) {
    const fraction = parseNumber('--val-split', values['val-split'], 0.1, { min: 0 });
    const split = trainValidationSplit(trainSet, { validationFraction: fraction, seed: config.seed });
    trainSet = split.train;
    validationSet = split.validation;
  } else if (values['val-test'] === true) {
    validationSet = (
      await loadData(spec, {
        split: 'test',
        ...(values.root ? { root: String(values.root) } : {}),
        ...(size ? { size } : {}),
      })
    ).dataset;
  }
  const loader = new DataLoader(trainSet, {
    batchSize: config.batchSize,
    shuffle: true,
    seed: config.seed,
    transform: trainTransform(trainData, folder, values.augment === true),
    ...(values['balanced-sampler'] === true
      ? { sampler: classBalancedSampler(trainSet.labels, { seed: config.seed }) }
      : {}),
  });
  const validation = validationSet
    ? new DataLoader(validationSet, { batchSize: 256, transform: evalTransform(trainData, folder) })
    : undefined;

  // What fixes the schedule (steps, rates) and the data order; a resumed run must repeat them.
  const settings: RunSettings = {
    data: spec,
    epochs: config.epochs,
    batchSize: config.batchSize,
    lr: config.lr,
    schedule: config.schedule,
    warmupEpochs: config.warmupEpochs,
    seed: config.seed,
    perClass: perClass ?? null,
    valSplit: values['val-split'] === undefined ? null : Number(values['val-split']),
    balancedSampler: values['balanced-sampler'] === true,
    accumulateSteps: config.accumulateSteps,
    stepsPerEpoch: loader.length,
  };

  const loaded = await loadModel(id, {
    pretrained: extension?.pretrained
      ? extension.pretrained(id, values)
      : finetune || values.pretrained === true,
    ...(values.weights ? { weights: String(values.weights) } : {}),
    numClasses,
    buildOptions,
    seed: config.seed,
    freshHead: values['new-head'] === true,
  });
  const model = extension?.transformModel ? await extension.transformModel(loaded, values, say) : loaded;
  if (values.freeze !== undefined) {
    const target = String(values.freeze);
    const frozen = freeze(model, target === 'backbone' ? 'backbone' : target.split(','));
    say(`frozen: ${frozen.length} layers`);
  }
  // A frozen backbone on images that do not change between epochs: its features are computed once.
  let cacheFeatures = false;
  if (
    values.freeze === 'backbone' &&
    values.augment !== true &&
    values['unfreeze-after'] === undefined &&
    !extension
  ) {
    try {
      splitAtHead(model);
      cacheFeatures = true;
      say('features: the frozen backbone runs once per image (cached); the head trains on its output');
    } catch {
      // A backbone with dropout or unfrozen batch-norm: train uncached.
    }
  }
  const groups = config.layerDecay !== undefined ? layerwiseLrDecay(model, config.layerDecay) : [];
  const optimizer = makeOptimizer(config, groups);
  // The schedule counts optimizer steps: one per accumulateSteps batches, and one for a short rest.
  const schedule = makeSchedule(config, Math.ceil(loader.length / config.accumulateSteps));

  let initialState: TrainState | undefined;
  let previous: import('@tfzoo/train').EpochLogs[] = [];
  if (resume) {
    if (values.freeze !== undefined || values['unfreeze-after'] !== undefined) {
      // Freezing state at the checkpoint is re-derived by UnfreezeAfter from the epoch.
    }
    const manifest = await loadCheckpoint(lastDir, model, optimizer);
    const changed = changedSettings(manifest.metadata.settings, settings);
    if (changed.length > 0 && values.force !== true) {
      throw new ZooError(
        'INVALID_ARGUMENT',
        `--resume: ${changed.join('; ')} — this changes the learning-rate schedule or the data order of the run in ${lastDir}; use the same settings, or add --force`,
        { received: settings, expected: JSON.stringify(manifest.metadata.settings) },
      );
    }
    if (changed.length > 0) say(`resuming with changed settings (--force): ${changed.join('; ')}`);
    initialState = manifest.state;
    previous = manifest.history;
    say(
      `resumed from ${lastDir}: epoch ${manifest.state.epoch + 1}, batch ${manifest.state.batchInEpoch}, step ${manifest.state.step}` +
        (schedule ? `, lr ${schedule(manifest.state.step).toExponential(3)}` : ''),
    );
  }
  const classWeights =
    values['class-weights'] === 'balanced' ? balancedClassWeights(trainSet.labels, numClasses) : undefined;
  if (values['class-weights'] !== undefined && values['class-weights'] !== 'balanced') {
    throw invalidArgument('--class-weights', values['class-weights'], 'balanced');
  }
  const extra = extension
    ? await extension.setup({ values, model, numClasses, loader, epochs: config.epochs, say })
    : {};
  const callbacks: TrainCallback[] = [...(extra.callbacks ?? [])];
  if (values['unfreeze-after'] !== undefined) {
    callbacks.push(
      new UnfreezeAfter({
        epoch: parseNumber('--unfreeze-after', values['unfreeze-after'], 0, { integer: true, min: 0 }),
      }),
    );
  }
  const ema =
    values.ema === undefined
      ? undefined
      : new EmaCallback({ decay: parseNumber('--ema', values.ema, 0.999, { min: 0 }) });
  if (ema) callbacks.push(ema);
  if (values['early-stopping'] !== undefined) {
    callbacks.push(
      new EarlyStopping({
        monitor: validation ? 'val_loss' : 'loss',
        patience: parseNumber('--early-stopping', values['early-stopping'], 5, { integer: true, min: 1 }),
      }),
    );
  }
  const commandLine = `tfzoo ${commandName} ${argv.join(' ')}`;
  callbacks.push(
    new ModelCheckpoint({
      dir: out,
      history: previous,
      metadata: { command: commandLine, id, numClasses, buildOptions, settings },
      ...(values['checkpoint-every'] !== undefined
        ? {
            everySteps: parseNumber('--checkpoint-every', values['checkpoint-every'], 100, {
              integer: true,
              min: 1,
            }),
          }
        : {}),
    }),
    new MetricsLogger({
      path: String(values.log ?? join(out, 'log.jsonl')),
      append: resume,
      history: previous,
    }),
    new ProgressBar({ quiet, stream: io.stderr }),
  );

  const controller = new AbortController();
  // Steps completed so far, for the message: training stops after the step under way.
  let completed = initialState?.step ?? 0;
  callbacks.push({
    onBatchEnd: (_batch, _logs, context) => {
      completed = context.state.step;
    },
  });
  let signals = 0;
  const onSigint = () => {
    signals++;
    if (signals === 1) {
      say(
        `\nSIGINT after step ${completed}: stopping after the step under way and saving a checkpoint (Ctrl-C twice more to quit without it)`,
      );
      controller.abort();
    } else if (signals === 2) {
      say('SIGINT: still writing the checkpoint; waiting for it (Ctrl-C once more to quit without it)');
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  await mkdir(out, { recursive: true });
  say(
    `training ${id} on ${trainData.name} (${trainSet.length} images, ${loader.length} ${config.accumulateSteps > 1 ? `batches of ${config.batchSize} accumulated ${config.accumulateSteps} at a time` : 'steps'}/epoch) for ${config.epochs} epochs, ${config.optimizer} lr ${config.lr} ${config.schedule}, seed ${config.seed}`,
  );
  let before: number | undefined;
  if (validation && !resume) {
    before = (await evaluate(model, validation)).accuracy;
    say(`before training: val_accuracy ${(100 * before!).toFixed(2)}% (${validation.dataset.length} images)`);
  }
  let history: Awaited<ReturnType<typeof train>>;
  try {
    history = await withSeed(config.seed, () =>
      train({
        model,
        data: extra.data ?? loader,
        ...(extra.loss ? { loss: extra.loss } : {}),
        ...(validation ? { validation } : {}),
        epochs: config.epochs,
        optimizer,
        ...(config.accumulateSteps > 1 ? { accumulateSteps: config.accumulateSteps } : {}),
        ...(cacheFeatures ? { cacheFeatures } : {}),
        ...(values['grad-checkpointing'] === true ? { gradientCheckpointing: true } : {}),
        onMemoryEstimate: (estimate) =>
          say(
            `memory: about ${formatBytes(estimate.totalBytes)} per step at batch ${estimate.batchSize} (${formatBytes(estimate.activationBytesPerSample)} of activations per image${estimate.gradientCheckpointing ? ', with activation checkpointing' : ''})${estimate.limitBytes === undefined ? '' : `, ${info.backend} heap ${formatBytes(estimate.limitBytes)}`}`,
          ),
        ...(schedule ? { schedule } : {}),
        ...(classWeights ? { classWeights } : {}),
        ...(values['label-smoothing'] !== undefined
          ? { labelSmoothing: parseNumber('--label-smoothing', values['label-smoothing'], 0, { min: 0 }) }
          : {}),
        callbacks,
        ...(initialState ? { initialState } : {}),
        signal: controller.signal,
      }),
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (history.interrupted) {
    say(
      `interrupted at step ${history.state.step}; checkpoint in ${lastDir}. Continue with the same command plus --resume.`,
    );
    model.dispose();
    return 130;
  }
  if (ema?.ema) ema.ema.apply();
  await extra.finish?.(out);
  const weightsPath = join(out, 'model.safetensors');
  await saveWeights(model, weightsPath, { metadata: { command: commandLine, id } });
  await writeFile(
    join(out, 'summary.json'),
    `${JSON.stringify({ command: commandLine, id, numClasses, buildOptions, state: history.state, epochs: [...previous, ...history.epochs] }, null, 2)}\n`,
  );
  const last = history.epochs[history.epochs.length - 1];
  if (last && typeof last.val_accuracy === 'number') {
    say(
      `after training: val_accuracy ${(100 * last.val_accuracy).toFixed(2)}%${before === undefined ? '' : ` (before: ${(100 * before).toFixed(2)}%)`}`,
    );
  }
  if (last) say(`last epoch: ${JSON.stringify(last)}`);
  io.stdout.write(`${weightsPath}\n`);
  model.dispose();
  return 0;
}

/** Options of `tfzoo eval`. */
export const EVAL_OPTIONS: Record<string, OptionSpec> = {
  data: {
    type: 'string',
    help: 'fashion-mnist | fashion-mnist-sample | mnist | cifar10 | <folder> (default fashion-mnist)',
  },
  root: { type: 'string', help: 'directory with the data set files' },
  split: { type: 'string', help: 'test | train (default test)' },
  weights: { type: 'string', help: "weight file to evaluate (default: the id's pretrained weights)" },
  checkpoint: { type: 'string', help: 'a checkpoint directory (e.g. run/best) to evaluate' },
  'model-options': { type: 'string', help: 'JSON build options' },
  'image-size': { type: 'string', help: 'HxWxC for folders' },
  'batch-size': { type: 'string', help: 'batch size (default 256)' },
  limit: { type: 'string', help: 'evaluate only the first N images' },
  json: { type: 'boolean', help: 'print the result as JSON' },
  backend: { type: 'string', help: 'auto | wasm | cpu | … (default auto)' },
  threads: { type: 'string', help: 'wasm threads' },
  'no-optimize': {
    type: 'boolean',
    help: 'run the model as built, without folding batch-norm and fusing activations',
  },
};

/** `tfzoo eval <id>`: loss, top-1 and top-5 accuracy on a data set's split. */
export async function evalCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv, EVAL_OPTIONS, 'eval');
  if (positionals.length !== 1)
    throw invalidArgument('model id', positionals, 'exactly one model id, e.g. tfzoo eval lenet5.fmnist');
  const id = positionals[0]!;
  await setupBackend(
    String(values.backend ?? 'auto'),
    values.threads === undefined
      ? undefined
      : parseNumber('--threads', values.threads, 1, { integer: true, min: 1 }),
  );
  const spec = String(values.data ?? 'fashion-mnist');
  const folder = !['fashion-mnist', 'mnist', 'cifar10', 'fashion-mnist-sample'].includes(spec);
  const split = String(values.split ?? 'test');
  if (split !== 'test' && split !== 'train') throw invalidArgument('--split', split, 'test or train');
  const buildOptions = parseJsonOption('--model-options', values['model-options']);
  const size = parseSize(values['image-size'] as string | undefined);
  const data = await loadData(spec, {
    split,
    ...(values.root ? { root: String(values.root) } : {}),
    ...(size ? { size } : {}),
    ...(values.limit !== undefined
      ? { limit: parseNumber('--limit', values.limit, 1, { integer: true, min: 1 }) }
      : {}),
  });
  let model: tfl.LayersModel;
  if (values.checkpoint !== undefined) {
    const manifest = await readCheckpointManifest(String(values.checkpoint));
    const meta = manifest.metadata as {
      buildOptions?: Record<string, unknown>;
      numClasses?: number;
      id?: string;
    };
    model = await loadModel(meta.id ?? id, {
      buildOptions: { ...(meta.buildOptions ?? {}), ...buildOptions },
      ...(meta.numClasses ? { numClasses: meta.numClasses } : {}),
    });
    await loadCheckpoint(String(values.checkpoint), model);
  } else {
    const hasTag = id.includes('.');
    model = await loadModel(id, {
      pretrained: hasTag && values.weights === undefined,
      ...(values.weights ? { weights: String(values.weights) } : {}),
      numClasses: data.dataset.classes.length,
      buildOptions: { ...(hasTag ? {} : { inputShape: [...data.shape] }), ...buildOptions },
    });
  }
  const loader = new DataLoader(data.dataset, {
    batchSize: parseNumber('--batch-size', values['batch-size'], 256, { integer: true, min: 1 }),
    transform: evalTransform(data, folder),
  });
  const started = performance.now();
  // The inference form (batch-norm folded, fused kernels) unless asked not to: same logits.
  // evaluate() only calls apply(x, { training: false }), which is the inference form's predict.
  const fast = values['no-optimize'] === true ? undefined : optimizeForInference(model);
  const target = fast ? ({ apply: (x: tf.Tensor) => fast.predict(x) } as unknown as tfl.LayersModel) : model;
  let result: Awaited<ReturnType<typeof evaluate>>;
  try {
    result = await evaluate(target, loader, { metrics: ['accuracy', 'top5'] });
  } finally {
    fast?.dispose();
    model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify({ id, data: spec, split, ...result, seconds })}\n`);
  } else {
    io.stdout.write(
      `${id} on ${spec} ${split} (${result.samples} images): accuracy ${(100 * result.accuracy!).toFixed(2)}%  top-5 ${(100 * result.top5!).toFixed(2)}%  loss ${result.loss.toFixed(4)}  (${seconds.toFixed(1)} s)\n`,
    );
  }
  return 0;
}
