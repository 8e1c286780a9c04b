/**
 * `tfzoo prune`, `tfzoo quantize` and `tfzoo distill`: `@tfzoo/compress` from the command line.
 * `prune` and `distill` are training runs ({@link trainCommand} with an extension): every training
 * option (data, augmentation, optimizer, checkpoints, `--resume`, logs) works as in `tfzoo finetune`.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  checkTeacherStudent,
  constantSparsity,
  formatSparsityReport,
  MagnitudePruning,
  type PruningSchedule,
  polynomialDecay,
  pruneFilters,
  quantizationMetadata,
  quantizedHandler,
  quantizeStateDict,
  sparsityReport,
  stripPruning,
  TeacherBatches,
  teacherLoss,
} from '@tfzoo/compress';
import {
  exportStateDict,
  initBackend,
  invalidArgument,
  tfjsFileHandler,
  writeSafetensors,
  ZooError,
} from '@tfzoo/core';
import { type CommandIo, type OptionSpec, parse, parseJsonOption, parseNumber } from './args.js';
import { loadModel } from './runtime.js';
import { type TrainExtension, trainCommand } from './train-command.js';

function parseSparsity(value: unknown, name = '--sparsity'): number {
  if (value === undefined) throw invalidArgument(name, value, `a fraction in [0, 1), e.g. ${name} 0.75`);
  const s = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!(s >= 0 && s < 1)) throw invalidArgument(name, value, 'a fraction in [0, 1), e.g. 0.75');
  return s;
}

const PRUNE: TrainExtension = {
  command: 'prune',
  options: {
    sparsity: {
      type: 'string',
      help: 'fraction of each conv/dense kernel set to zero, in [0, 1) (required)',
    },
    schedule: {
      type: 'string',
      help: 'constant (prune at --begin-step, hold) | polynomial (TF-MOT decay from 0 to --sparsity) (default constant)',
    },
    'lr-schedule': {
      type: 'string',
      help: 'learning-rate schedule: cosine | step | constant (default cosine)',
    },
    scope: { type: 'string', help: 'layer (each kernel to the sparsity, default) | global (one threshold)' },
    'begin-step': { type: 'string', help: 'first pruning step (default 0)' },
    'end-step': { type: 'string', help: 'polynomial: step reaching --sparsity (default 2/3 of the run)' },
    frequency: {
      type: 'string',
      help: 'update the masks every N steps (default 100; polynomial: ≤ 1/10 of the ramp)',
    },
    'exclude-layers': {
      type: 'string',
      help: 'comma-separated layer names left dense (or whole, with --filters)',
    },
    filters: {
      type: 'string',
      help: 'structured: remove this fraction of each conv’s filters (L1 norm) first; plain chains (LeNet, AlexNet, VGG); also writes DIR/model.json',
    },
  },
  lrScheduleOption: 'lr-schedule',
  validate(values) {
    if (values.filters === undefined || values.sparsity !== undefined) parseSparsity(values.sparsity);
    if (values.filters !== undefined) parseSparsity(values.filters, '--filters');
    if (values.schedule !== undefined && values.schedule !== 'constant' && values.schedule !== 'polynomial') {
      throw invalidArgument('--schedule', values.schedule, 'constant or polynomial');
    }
  },
  pretrained: (id, values) => id.includes('.') && values.weights === undefined,
  async transformModel(model, values, say) {
    if (values.filters === undefined) return model;
    const { model: smaller } = await pruneFilters(model, {
      ratio: parseSparsity(values.filters, '--filters'),
      ...(values['exclude-layers'] ? { exclude: String(values['exclude-layers']).split(',') } : {}),
    });
    say(`filter pruning: ${model.countParams()} → ${smaller.countParams()} parameters`);
    model.dispose();
    return smaller;
  },
  async setup({ values, model, loader, epochs, say }) {
    const structured = async (out: string) => {
      if (values.filters !== undefined) {
        await model.save(tfjsFileHandler(out));
        say(`smaller architecture: ${join(out, 'model.json')} (tf.loadLayersModel)`);
      }
    };
    if (values.sparsity === undefined) return { finish: structured };
    const sparsity = parseSparsity(values.sparsity);
    const total = epochs * loader.length;
    const beginStep = parseNumber('--begin-step', values['begin-step'], 0, { integer: true, min: 0 });
    const kind = String(values.schedule ?? 'constant');
    let schedule: PruningSchedule;
    if (kind === 'constant') {
      const frequency = parseNumber('--frequency', values.frequency, 100, { integer: true, min: 1 });
      schedule = constantSparsity({ targetSparsity: sparsity, beginStep, frequency });
    } else if (kind === 'polynomial') {
      const endStep = parseNumber(
        '--end-step',
        values['end-step'],
        Math.max(beginStep + 1, Math.round((2 * total) / 3)),
        {
          integer: true,
          min: beginStep + 1,
        },
      );
      const frequency = parseNumber(
        '--frequency',
        values.frequency,
        Math.max(1, Math.min(100, Math.floor((endStep - beginStep) / 10))),
        { integer: true, min: 1 },
      );
      schedule = polynomialDecay({
        initialSparsity: 0,
        finalSparsity: sparsity,
        beginStep,
        endStep,
        frequency,
      });
    } else {
      throw invalidArgument('--schedule', kind, 'constant or polynomial');
    }
    const scope = String(values.scope ?? 'layer');
    if (scope !== 'layer' && scope !== 'global') throw invalidArgument('--scope', scope, 'layer or global');
    const pruning = new MagnitudePruning({
      schedule,
      scope,
      ...(values['exclude-layers'] ? { exclude: String(values['exclude-layers']).split(',') } : {}),
      onUpdate: (step, s) => say(`pruning: step ${step}, sparsity ${(100 * s).toFixed(1)}%`),
    });
    say(`pruning ${scope}-wise to ${(100 * sparsity).toFixed(1)}% (${kind} schedule)`);
    return {
      callbacks: [pruning],
      async finish(out: string) {
        stripPruning(model, pruning);
        const report = await sparsityReport(model);
        say(formatSparsityReport(report).trimEnd());
        await writeFile(join(out, 'sparsity.json'), `${JSON.stringify(report, null, 2)}\n`);
        await structured(out);
      },
    };
  },
};

/** `tfzoo prune <id> --sparsity S`: magnitude pruning with a fine-tune; writes `<out>/model.safetensors`. */
export function pruneCommand(argv: string[], io: CommandIo): Promise<number> {
  return trainCommand(argv, io, true, PRUNE);
}

const DISTILL: TrainExtension = {
  command: 'distill',
  options: {
    teacher: {
      type: 'string',
      help: 'teacher id (its pretrained weights unless --teacher-weights) (required)',
    },
    'teacher-weights': { type: 'string', help: 'weight file of the teacher' },
    student: {
      type: 'string',
      help: 'student id, trained from scratch unless --pretrained/--weights (required)',
    },
    temperature: { type: 'string', help: 'softening temperature T > 0 (default 4)' },
    alpha: {
      type: 'string',
      help: 'weight of the hard-label loss in [0, 1]; the teacher term gets 1 − α (default 0.5)',
    },
  },
  id(values) {
    if (typeof values.student !== 'string')
      throw invalidArgument('--student', values.student, 'a model id, e.g. lenet5');
    return values.student;
  },
  validate(values) {
    if (typeof values.teacher !== 'string')
      throw invalidArgument('--teacher', values.teacher, 'a model id, e.g. resnet18.fmnist');
    parseNumber('--temperature', values.temperature, 4, { min: Number.MIN_VALUE });
    parseNumber('--alpha', values.alpha, 0.5, { min: 0, max: 1 });
  },
  pretrained: (_id, values) => values.pretrained === true,
  async setup({ values, model, loader, say }) {
    const teacherId = values.teacher;
    if (typeof teacherId !== 'string')
      throw invalidArgument('--teacher', teacherId, 'a model id, e.g. resnet18.fmnist');
    const temperature = parseNumber('--temperature', values.temperature, 4, { min: Number.MIN_VALUE });
    const alpha = parseNumber('--alpha', values.alpha, 0.5, { min: 0, max: 1 });
    const teacherWeights = values['teacher-weights'];
    const teacher = await loadModel(teacherId, {
      pretrained: teacherWeights === undefined,
      ...(teacherWeights ? { weights: String(teacherWeights) } : {}),
    });
    try {
      checkTeacherStudent(teacher, model);
      const t = teacher.inputs[0]!.shape.slice(1).join('×');
      const s = model.inputs[0]!.shape.slice(1).join('×');
      if (t !== s) {
        throw new ZooError('INVALID_ARGUMENT', `the teacher takes ${t} inputs but the student ${s}`, {
          received: { teacher: t, student: s },
          expected: 'a teacher and a student with the same input shape',
        });
      }
    } catch (error) {
      teacher.dispose();
      throw error;
    }
    // Without augmentation an image's teacher logits never change: the teacher runs in the first
    // epoch only. With --augment it runs on every epoch's view (the view the student sees).
    const cache = values.augment !== true;
    say(
      `teacher ${teacherId} (frozen, inference mode), T ${temperature}, alpha ${alpha}` +
        (cache ? ', logits kept per image after the first epoch' : ''),
    );
    const data = new TeacherBatches(loader, teacher, { cache });
    const labelSmoothing =
      values['label-smoothing'] === undefined
        ? 0
        : parseNumber('--label-smoothing', values['label-smoothing'], 0);
    return {
      data,
      loss: teacherLoss(data, { temperature, alpha, ...(labelSmoothing ? { labelSmoothing } : {}) }),
      async finish() {
        teacher.dispose();
      },
    };
  },
};

/** `tfzoo distill --teacher <id> --student <id>`: trains the student on the teacher's soft targets. */
export function distillCommand(argv: string[], io: CommandIo): Promise<number> {
  return trainCommand(argv, io, false, DISTILL);
}

const QUANTIZE_OPTIONS: Record<string, OptionSpec> = {
  dtype: { type: 'string', help: 'int8 | float16 (required)' },
  weights: { type: 'string', help: "weight file to quantize (default: the id's pretrained weights)" },
  'model-options': { type: 'string', help: 'JSON build options' },
  'num-classes': {
    type: 'string',
    help: 'classes of the head (default: the pretrained config’s, else 10 / 1000)',
  },
  json: { type: 'boolean', help: 'print the sizes as JSON' },
};

async function filesSize(paths: string[]): Promise<{ bytes: number; gzip: number }> {
  let bytes = 0;
  let gzip = 0;
  for (const path of paths) {
    const data = await readFile(path);
    bytes += data.length;
    gzip += gzipSync(data, { level: 9 }).length;
  }
  return { bytes, gzip };
}

async function tfjsSize(dir: string): Promise<{ bytes: number; gzip: number }> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
    weightsManifest: { paths: string[] }[];
  };
  return filesSize(json.weightsManifest.flatMap((g) => g.paths.map((p) => join(dir, p))));
}

/**
 * `tfzoo quantize <id> <dir> --dtype int8|float16`: writes `<dir>/model.json` (TF.js, tfjs's
 * `quantization` manifest field) and `<dir>/model.safetensors` (F16, or per-channel I8 + scales),
 * and reports their sizes against float32.
 */
export async function quantizeCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv, QUANTIZE_OPTIONS, 'quantize');
  if (positionals.length !== 2)
    throw invalidArgument('arguments', positionals, 'a model id and an output directory');
  const [id, dir] = positionals as [string, string];
  const dtype = values.dtype;
  if (dtype !== 'int8' && dtype !== 'float16') throw invalidArgument('--dtype', dtype, 'int8 or float16');
  await initBackend(['cpu']);
  const model: tfl.LayersModel = await loadModel(id, {
    pretrained: values.weights === undefined && id.includes('.'),
    buildOptions: parseJsonOption('--model-options', values['model-options']),
    ...(values.weights ? { weights: String(values.weights) } : {}),
    ...(values['num-classes'] !== undefined
      ? { numClasses: parseNumber('--num-classes', values['num-classes'], 10, { integer: true, min: 1 }) }
      : {}),
  });
  await mkdir(dir, { recursive: true });
  const sizes: Record<string, { bytes: number; gzip: number }> = {};
  try {
    const reference = join(dir, '.float32');
    await model.save(tfjsFileHandler(reference));
    sizes.float32 = await tfjsSize(reference);
    await rm(reference, { recursive: true, force: true });
    await model.save(quantizedHandler(tfjsFileHandler(dir), { dtype }));
    sizes.tfjs = await tfjsSize(dir);
    const state = exportStateDict(model);
    const path = join(dir, 'model.safetensors');
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(
      temporary,
      writeSafetensors(quantizeStateDict(state, { dtype }), { ...quantizationMetadata({ dtype }), id }),
    );
    await rename(temporary, path);
    sizes.safetensors = await filesSize([path]);
  } finally {
    model.dispose();
  }
  const jsonPath = join(dir, 'model.json');
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify({ id, dtype, model: jsonPath, sizes })}\n`);
    return 0;
  }
  const f32 = sizes.float32!;
  const line = (name: string, s: { bytes: number; gzip: number }) =>
    `  ${name.padEnd(12)} ${String(s.bytes).padStart(10)} B (${((100 * s.bytes) / f32.bytes).toFixed(1)}% of float32)  gzip ${s.gzip} B`;
  io.stderr.write(
    `${[`${id} → ${dtype}:`, line('float32', f32), line('tfjs', sizes.tfjs!), line('safetensors', sizes.safetensors!)].join('\n')}\n`,
  );
  io.stdout.write(`${jsonPath}\n`);
  return 0;
}
