/**
 * Knowledge distillation (Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network",
 * arXiv:1503.02531) on `@tfzoo/train`'s loop: the teacher runs frozen in inference mode on every
 * training batch (the same augmented images the student sees), and the student minimizes
 * `@tfzoo/losses`' `distillationLoss`: α·CE(student, labels) + (1 − α)·T²·KL(teacher_T ‖ student_T).
 *
 * The teacher's logits travel beside the batch: {@link TeacherBatches} wraps any batch source
 * (a `DataLoader` keeps its per-epoch order, so checkpoints and resume work unchanged) and the loss
 * from {@link teacherLoss} finds the logits of the batch whose targets it is given. Validation
 * batches have no teacher logits and are scored with plain cross-entropy. Without augmentation the
 * teacher's logits of an image never change, so they can be kept per image (`cache`) and the teacher
 * runs once per image instead of once per image and epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument, ZooError } from '@tfzoo/core';
import type { TensorBatch } from '@tfzoo/datasets';
import { type DistillationLossOptions, distillationLoss, type LossFunction } from '@tfzoo/losses';
import { type BatchSource, defaultLoss, type History, type TrainOptions, train } from '@tfzoo/train';
import { checkKeys, checkRange } from './validate.js';

interface EpochSource {
  epoch?: number;
  length?: number;
  tensors?: (epoch: number) => AsyncIterable<TensorBatch>;
}

/** The number of classes a model outputs (last dimension of its output). */
export function outputClasses(model: tfl.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const classes = shape?.[shape.length - 1];
  if (typeof classes !== 'number')
    throw invalidArgument('model output shape', shape, 'a [batch, classes] output');
  return classes;
}

/** Options of {@link TeacherBatches}. */
export interface TeacherBatchesOptions {
  /**
   * Keep each image's teacher logits, by the data set index that a `DataLoader`'s batches carry
   * (`indices`), and reuse them in later epochs instead of running the teacher again (default
   * false). Only for deterministic batches: under augmentation, mixup or cutmix the image of an
   * index changes every epoch and the teacher must see each epoch's view. Batches without `indices`
   * are never cached.
   */
  cache?: boolean;
}

/**
 * A batch source that runs the teacher (inference mode, no gradient) on each batch it yields and
 * keeps the logits until the next batch. It forwards a `DataLoader`'s `length`, `epoch` and
 * `tensors(epoch)`, so the training loop's per-epoch order and resume are those of the loader.
 */
export class TeacherBatches implements AsyncIterable<TensorBatch> {
  private readonly logits = new WeakMap<tf.Tensor, tf.Tensor>();
  private readonly cached: Map<number, Float32Array> | undefined;
  private runs = 0;

  /** Wraps `source`; `teacher` is set non-trainable. */
  constructor(
    readonly source: BatchSource,
    readonly teacher: tfl.LayersModel,
    options?: TeacherBatchesOptions,
  ) {
    if (typeof teacher?.apply !== 'function') throw invalidArgument('teacher', teacher, 'a tf.LayersModel');
    const { cache } = checkKeys(options, ['cache'], 'TeacherBatches options');
    if (cache !== undefined && typeof cache !== 'boolean') {
      throw invalidArgument('TeacherBatches options.cache', cache, 'true or false');
    }
    this.cached = cache ? new Map() : undefined;
    teacher.trainable = false;
  }

  /** How many batches the teacher has run on (batches served from the cache not counted). */
  get teacherRuns(): number {
    return this.runs;
  }

  /** Batches per epoch, when the source knows it. */
  get length(): number | undefined {
    return (this.source as EpochSource).length;
  }

  /** The source's epoch counter (a `DataLoader`'s), forwarded. */
  get epoch(): number | undefined {
    return (this.source as EpochSource).epoch;
  }

  set epoch(value: number | undefined) {
    const source = this.source as EpochSource;
    if (typeof source.epoch === 'number' && value !== undefined) source.epoch = value;
  }

  /** The teacher's logits for the batch whose targets are `y`, while that batch is current. */
  teacherLogits(y: tf.Tensor): tf.Tensor | undefined {
    return this.logits.get(y);
  }

  /** The teacher's logits of `batch`: from the cache when every image of it is there, else computed. */
  private async logitsOf(batch: TensorBatch): Promise<tf.Tensor> {
    const indices = (batch as Partial<TensorBatch>).indices;
    const cache = this.cached && indices instanceof Int32Array && indices.length === batch.x.shape[0];
    if (cache && indices.length > 0 && indices.every((i) => this.cached!.has(i))) {
      const rows = Array.from(indices, (i) => this.cached!.get(i)!);
      const classes = rows[0]!.length;
      const values = new Float32Array(rows.length * classes);
      rows.forEach((row, r) => {
        values.set(row, r * classes);
      });
      return tf.tensor2d(values, [rows.length, classes]);
    }
    this.runs++;
    const logits = tf.tidy(() => this.teacher.apply(batch.x, { training: false }) as tf.Tensor);
    if (cache) {
      try {
        const values = (await logits.data()) as Float32Array;
        const classes = values.length / indices.length;
        indices.forEach((index, r) => {
          this.cached!.set(index, values.slice(r * classes, (r + 1) * classes));
        });
      } catch (error) {
        logits.dispose();
        throw error;
      }
    }
    return logits;
  }

  private async *wrap(
    batches: AsyncIterable<TensorBatch> | Iterable<TensorBatch>,
  ): AsyncGenerator<TensorBatch> {
    let current: tf.Tensor | undefined;
    try {
      for await (const batch of batches as AsyncIterable<TensorBatch>) {
        current?.dispose();
        current = undefined;
        current = await this.logitsOf(batch);
        this.logits.set(batch.y, current);
        yield batch;
      }
    } finally {
      current?.dispose();
    }
  }

  /** Epoch `epoch` of the source (a `DataLoader`'s `tensors(epoch)`), with teacher logits. */
  tensors(epoch: number): AsyncIterable<TensorBatch> {
    const source = this.source as EpochSource;
    return this.wrap(
      typeof source.tensors === 'function' ? source.tensors(epoch) : (this.source as Iterable<TensorBatch>),
    );
  }

  /** One pass over the source, with teacher logits. */
  [Symbol.asyncIterator](): AsyncIterator<TensorBatch> {
    return this.wrap(this.source)[Symbol.asyncIterator]();
  }
}

/**
 * The training loss of distillation: `distillationLoss(options)` on batches that carry teacher
 * logits, plain cross-entropy (with the same label smoothing) on any other batch (validation).
 */
export function teacherLoss(batches: TeacherBatches, options: DistillationLossOptions = {}): LossFunction {
  const kd = distillationLoss(options);
  const plain = defaultLoss(options.labelSmoothing ? { labelSmoothing: options.labelSmoothing } : {});
  return ((yTrue: tf.Tensor, yPred: tf.Tensor) => {
    const teacher = batches.teacherLogits(yTrue);
    return teacher ? kd(yTrue, yPred, teacher) : plain(yTrue, yPred);
  }) as LossFunction;
}

/** Whether the model's output layer applies a softmax (its output is probabilities, not logits). */
function endsInSoftmax(model: tfl.LayersModel): boolean {
  const layer = model.outputLayers?.[0] ?? model.layers[model.layers.length - 1];
  return (layer?.getConfig() as { activation?: unknown } | undefined)?.activation === 'softmax';
}

/**
 * Throws unless teacher and student output logits (no softmax output layer: the loss softens logits
 * by T, and probabilities divided by T are not softened logits) and the same number of classes.
 */
export function checkTeacherStudent(teacher: tfl.LayersModel, student: tfl.LayersModel): void {
  for (const [role, model] of [
    ['teacher', teacher],
    ['student', student],
  ] as const) {
    if (endsInSoftmax(model)) {
      throw new ZooError(
        'INVALID_ARGUMENT',
        `the ${role} ends in a softmax; distillation needs logits (build it with classifierActivation 'linear')`,
        { received: 'a softmax output layer', expected: 'a model whose output is logits' },
      );
    }
  }
  const t = outputClasses(teacher);
  const s = outputClasses(student);
  if (t !== s) {
    throw new ZooError('INVALID_ARGUMENT', `the teacher outputs ${t} classes but the student ${s}`, {
      received: { teacher: t, student: s },
      expected: 'a teacher and a student with the same classes',
    });
  }
}

/** Options of {@link distill}: `train`'s options for the student, plus the teacher and the loss's. */
export interface DistillOptions
  extends Omit<TrainOptions, 'model' | 'loss' | 'classWeights' | 'cacheFeatures'> {
  /** The trained teacher (frozen; run in inference mode). */
  teacher: tfl.LayersModel;
  /** The student being trained. */
  student: tfl.LayersModel;
  /** Softening temperature T > 0 (default 4). */
  temperature?: number;
  /** Weight α of the hard-label term in [0, 1] (default 0.5). */
  alpha?: number;
  /**
   * Run the teacher once per image and reuse its logits in later epochs (default false); only for
   * data without augmentation (see {@link TeacherBatchesOptions.cache}).
   */
  cacheTeacher?: boolean;
}

const DISTILL_KEYS = [
  'teacher',
  'student',
  'temperature',
  'alpha',
  'cacheTeacher',
  'data',
  'validation',
  'epochs',
  'optimizer',
  'labelSmoothing',
  'fromLogits',
  'metrics',
  'callbacks',
  'schedule',
  'initialState',
  'signal',
  // train's memory and step options (#28); its feature cache is refused: the student's whole
  // model trains against the teacher's logits.
  'accumulateSteps',
  'gradientCheckpointing',
  'checkKernels',
  'memoryCheck',
  'onMemoryEstimate',
];

/**
 * Trains `student` to match `teacher` (and the labels) with `train`: callbacks, checkpoints,
 * schedules and resume work as in any training run.
 *
 * @example
 * ```ts
 * const teacher = await createModel('resnet18.fmnist', { pretrained: true });
 * const student = lenet5({ inputShape: [28, 28, 1] });
 * await distill({ teacher, student, data: loader, epochs: 5, optimizer, temperature: 4, alpha: 0.1 });
 * ```
 */
export async function distill(options: DistillOptions): Promise<History> {
  const given = checkKeys(options, DISTILL_KEYS) as DistillOptions;
  const { teacher, student, temperature, alpha, cacheTeacher, data, labelSmoothing, ...rest } = given;
  if (typeof student?.apply !== 'function') throw invalidArgument('student', student, 'a tf.LayersModel');
  if (typeof teacher?.apply !== 'function') throw invalidArgument('teacher', teacher, 'a tf.LayersModel');
  checkTeacherStudent(teacher, student);
  const loss: DistillationLossOptions = {
    temperature: checkRange(temperature, 4, 'temperature', { min: Number.MIN_VALUE }),
    alpha: checkRange(alpha, 0.5, 'alpha', { min: 0, max: 1 }),
    ...(labelSmoothing ? { labelSmoothing } : {}),
  };
  const batches = new TeacherBatches(
    data,
    teacher,
    cacheTeacher === undefined ? {} : { cache: cacheTeacher },
  );
  return train({ ...rest, model: student, data: batches, loss: teacherLoss(batches, loss) });
}
