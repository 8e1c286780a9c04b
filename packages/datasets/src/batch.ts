/**
 * Batches as plain arrays (what the loader prefetches) and their conversion to tensors (done once,
 * when the consumer takes the batch, so abandoned prefetched batches never leak tensors).
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';

/** A batch of images and labels in typed arrays. */
export interface ArrayBatch {
  /** Pixels, NHWC float32. */
  x: Float32Array;
  /** `[batch, height, width, channels]`. */
  shape: [number, number, number, number];
  /** Hard labels (class indices), one per sample. */
  labels: Int32Array;
  /**
   * Soft or one-hot targets `[batch, numClasses]`, row-major; `null` when the batch carries class
   * indices only (set by the loader's `oneHot` option, mixup and cutmix).
   */
  targets: Float32Array | null;
  /** Number of classes. */
  numClasses: number;
  /** Data set index of each sample. */
  indices: Int32Array;
}

/** A batch as tensors; the consumer owns them (`tf.dispose([batch.x, batch.y])`). */
export interface TensorBatch {
  /** Images `[batch, height, width, channels]`, float32. */
  x: tf.Tensor4D;
  /** One-hot or soft targets `[batch, numClasses]` float32, or class indices `[batch]` int32. */
  y: tf.Tensor1D | tf.Tensor2D;
  /** Data set index of each sample. */
  indices: Int32Array;
}

/** One-hot targets for class indices. */
export function oneHotTargets(labels: Int32Array, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  labels.forEach((label, i) => {
    if (!(label >= 0 && label < numClasses)) {
      throw invalidArgument(`label of sample ${i}`, label, `a class index below ${numClasses}`);
    }
    out[i * numClasses + label] = 1;
  });
  return out;
}

/** The targets of a batch as a `[batch, numClasses]` array, one-hot when it carries indices only. */
export function targetsOf(batch: ArrayBatch): Float32Array {
  return batch.targets ?? oneHotTargets(batch.labels, batch.numClasses);
}

/** Converts an {@link ArrayBatch} to tensors (the caller disposes them). */
export function toTensors(batch: ArrayBatch): TensorBatch {
  const x = tf.tensor4d(batch.x, batch.shape, 'float32');
  const n = batch.shape[0];
  const y = batch.targets
    ? tf.tensor2d(batch.targets, [n, batch.numClasses], 'float32')
    : tf.tensor1d(batch.labels, 'int32');
  return { x, y, indices: batch.indices };
}
